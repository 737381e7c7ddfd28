import type { ValidationIssue } from '../../core/problems.js';

/**
 * LumozAI words its 422s the way Laravel does ("The model_id field is required.", field -> list of
 * messages), so the mock writes every validation failure, from the spec or from a model's own
 * parameter list, in Laravel's English messages (lang/en/validation.php).
 */

/** The constraints a message names: a model parameter's definition, or what a spec message says. */
export interface FieldRule {
  type?: string;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  /** The JSON Schema format, e.g. `uri`. */
  format?: string;
}

/** The checks whose failure has a message of its own. */
export type RuleKeyword = 'required' | 'type' | 'minimum' | 'maximum' | 'minLength' | 'maxLength' | 'enum' | 'format' | 'prohibited' | 'exists';

const TYPE_MESSAGES: Record<string, string> = {
  integer: 'must be an integer',
  number: 'must be a number',
  string: 'must be a string',
  boolean: 'must be true or false',
  array: 'must be an array',
  object: 'must be an array', // PHP has no objects in a request: Laravel calls a map an array.
};

/** Laravel's message for one failed rule of `field`. */
export function laravelMessage(field: string, keyword: RuleKeyword | undefined, rule: FieldRule = {}): string {
  switch (keyword) {
    case 'required':
      return `The ${field} field is required.`;
    case 'type': {
      const message = rule.type === undefined ? undefined : TYPE_MESSAGES[rule.type];
      return message === undefined ? `The ${field} field is invalid.` : `The ${field} field ${message}.`;
    }
    case 'minimum':
      return `The ${field} field must be at least ${rule.minimum}.`;
    case 'maximum':
      return `The ${field} field must not be greater than ${rule.maximum}.`;
    case 'minLength':
      return `The ${field} field must be at least ${rule.minLength} characters.`;
    case 'maxLength':
      return `The ${field} field must not be greater than ${rule.maxLength} characters.`;
    case 'format':
      return /^ur[il]/.test(rule.format ?? '') ? `The ${field} field must be a valid URL.` : `The ${field} field is invalid.`;
    case 'prohibited':
      return `The ${field} field is prohibited.`;
    case 'enum':
    case 'exists':
      return `The selected ${field} is invalid.`;
    default:
      return `The ${field} field is invalid.`;
  }
}

/**
 * Laravel's top-level message: the first one, and how many more there are
 * (`The model_id field is required. (and 1 more error)`).
 */
export function laravelSummary(details: Record<string, string[]>): string {
  const all = Object.values(details).flat();
  const [first = 'The given data was invalid.'] = all;
  const more = all.length - 1;
  return more > 0 ? `${first} (and ${more} more error${more === 1 ? '' : 's'})` : first;
}

/**
 * One spec validation failure in Laravel's words. The validator's messages are Ajv's
 * (`must be integer`, `must be <= 20`, `must NOT have fewer than 1 characters`), so the limits are
 * read back from them. An empty string where a length is required reads as missing, as Laravel's
 * ConvertEmptyStringsToNull makes it.
 */
export function messageForIssue(issue: ValidationIssue): { field: string; message: string } {
  const field = issue.field;
  const text = issue.message;
  // Laravel would call a map an array; the body itself is asked to be a JSON object.
  if (issue.location === 'body' && issue.path.length === 0 && issue.keyword === 'type') return { field: 'body', message: 'The request body must be a JSON object.' };
  const number = (pattern: RegExp) => Number(pattern.exec(text)?.[1]);
  switch (issue.keyword) {
    case 'required':
      return { field, message: laravelMessage(field, 'required') };
    case 'type':
      return { field, message: laravelMessage(field, 'type', { type: /must be (\w+)/.exec(text)?.[1] }) };
    case 'minimum':
      return { field, message: laravelMessage(field, 'minimum', { minimum: number(/>= ?(-?[\d.e+]+)/) }) };
    case 'maximum':
      return { field, message: laravelMessage(field, 'maximum', { maximum: number(/<= ?(-?[\d.e+]+)/) }) };
    case 'minLength':
      return { field, message: issue.value === '' ? laravelMessage(field, 'required') : laravelMessage(field, 'minLength', { minLength: number(/fewer than (\d+)/) }) };
    case 'maxLength':
      return { field, message: laravelMessage(field, 'maxLength', { maxLength: number(/more than (\d+)/) }) };
    case 'format':
      return { field, message: laravelMessage(field, 'format', { format: /format "([^"]+)"/.exec(text)?.[1] }) };
    case 'enum':
      return { field, message: laravelMessage(field, 'enum') };
    case 'mediaType':
      // No Laravel rule covers the body's media type; the pipeline's message names the accepted ones.
      return { field: 'Content-Type', message: text };
    default:
      return { field, message: laravelMessage(field, undefined) };
  }
}
