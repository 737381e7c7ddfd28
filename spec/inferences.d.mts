/** A rule kind the strictness test knows. */
export type RuleKind =
  | 'additionalProperties' | 'pattern' | 'format' | 'minLength' | 'maxLength' | 'minimum' | 'maximum'
  | 'exclusiveMinimum' | 'exclusiveMaximum' | 'minItems' | 'maxItems' | 'required' | 'enum' | 'default' | 'status'
  | 'integer';
export declare const RULE_KINDS: readonly RuleKind[];
/** One rule of a document, and the marked node that covers it (undefined: none). */
export interface StrictRule { pointer: string; kind: RuleKind; inferredAt: string | undefined }
export declare function strictRules(doc: unknown): StrictRule[];
/** One node marked `x-inferred`: its JSON pointer, the pointer said in words, and its reason. */
export interface Inference { pointer: string; where: string; reason: string }
export declare function inferences(doc: unknown): Inference[];
export declare function describePointer(pointer: string): string;
/** The inference report of one API, as `GET /_mock/inferences` serves it. */
export interface InferenceReport { title: string; version: string; count: number; inferences: Inference[] }
export declare function inferenceReport(doc: unknown): InferenceReport;
export declare function inferenceMarkdown(doc: unknown): string;
