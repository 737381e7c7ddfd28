// What a spec adds to its vendor's page, read from the document itself.
//
// A node marked `x-inferred: true` (with a one-line `x-inferred-reason`) is a rule or fact the page
// only implies. `inferences(doc)` lists them (the inference report: docs pages, `GET /_mock/inferences`);
// `strictRules(doc)` lists every rule that makes the contract stricter than "any value goes", with the
// mark that covers it, so a test can insist each is either marked or stated by the page.

/** Rule kinds a contract can add: each refuses values (or answers) that the page might allow. */
export const RULE_KINDS = [
  'additionalProperties',
  'pattern',
  'format',
  'minLength',
  'maxLength',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'minItems',
  'maxItems',
  'required',
  'enum',
  'default',
  'status',
  'integer',
];

// Objects whose keys are names (a property, a status, a media type), not keywords.
const NAME_MAPS = new Set([
  'properties',
  'patternProperties',
  'responses',
  'headers',
  'content',
  'paths',
  'schemas',
  'parameters',
  'examples',
  'callbacks',
  'securitySchemes',
  'mapping',
  'dependentRequired',
  'encoding',
  'requestBodies',
  'links',
  'variables',
  '$defs',
]);
// Values, conditions and negations: nothing inside them is a rule of its own.
const NOT_RULES = new Set(['example', 'examples', 'const', 'enum', 'default', 'if', 'not', 'required', 'security', 'servers', 'tags', 'info', 'discriminator', 'x-codeSamples']);
// Formats that only name a representation or a number's width; no validator here refuses by them.
const REPRESENTATION_FORMATS = new Set(['binary', 'byte', 'int32', 'int64', 'float', 'double']);
const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace'];

const encode = (key) => String(key).replace(/~/g, '~0').replace(/\//g, '~1');
const decode = (segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~');

/** The node a local `$ref` points at, through chains of references. */
function resolve(doc, node) {
  let current = node;
  for (let hops = 0; current && typeof current.$ref === 'string' && current.$ref.startsWith('#/'); hops++) {
    if (hops > 32) throw new Error(`$ref cycle at ${node.$ref}`);
    current = current.$ref.slice(2).split('/').map(decode).reduce((parent, key) => parent?.[key], doc);
  }
  return current;
}

/** The rule kinds a single node states (not those of its children). */
function kindsOf(node) {
  const kinds = [];
  if (node.additionalProperties === false) kinds.push('additionalProperties');
  if (typeof node.pattern === 'string') kinds.push('pattern');
  if (typeof node.format === 'string' && !REPRESENTATION_FORMATS.has(node.format)) kinds.push('format');
  for (const bound of ['minLength', 'maxLength', 'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'minItems', 'maxItems']) {
    if (typeof node[bound] === 'number') kinds.push(bound);
  }
  if (Array.isArray(node.required) && node.required.length > 0) kinds.push('required');
  // A required header or query parameter (a path parameter is required by definition).
  if (node.required === true && 'schema' in node && node.in !== 'path') kinds.push('required');
  if (Array.isArray(node.enum)) kinds.push('enum');
  if ('default' in node) kinds.push('default');
  // \`integer\` refuses 1.5 where a page that says "number" allows it: a narrowing like a bound.
  if (node.type === 'integer' || (Array.isArray(node.type) && node.type.includes('integer'))) kinds.push('integer');
  return kinds;
}

/**
 * Every rule of the document as `{ pointer, kind, inferredAt }`: `inferredAt` is the pointer of the
 * nearest node marked `x-inferred` that holds it (the node itself or an ancestor: an inferred
 * operation or schema covers what is written inside it), or undefined when nothing marks it.
 * Statuses are reported per operation (callbacks included) at `.../responses/<status>`; a marked
 * operation, response entry or referenced response covers them.
 */
export function strictRules(doc) {
  const rules = [];
  const visit = (node, pointer, parentKey, inferredAt) => {
    if (typeof node !== 'object' || node === null) return;
    if (Array.isArray(node)) {
      node.forEach((child, index) => visit(child, `${pointer}/${index}`, parentKey, inferredAt));
      return;
    }
    const mark = node['x-inferred'] === true ? pointer : inferredAt;
    const isNameMap = NAME_MAPS.has(parentKey);
    if (!isNameMap) for (const kind of kindsOf(node)) rules.push({ pointer, kind, inferredAt: mark });
    for (const [key, child] of Object.entries(node)) {
      if (key.startsWith('x-') || (!isNameMap && NOT_RULES.has(key))) continue;
      visit(child, `${pointer}/${encode(key)}`, isNameMap ? `${parentKey}[]` : key, mark);
    }
  };
  visit(doc, '#', '', undefined);

  for (const { pointer, operation, inferredAt } of operations(doc)) {
    const responses = operation.responses ?? {};
    const mark = operation['x-inferred'] === true ? pointer : inferredAt;
    for (const [status, entry] of Object.entries(responses)) {
      if (status.startsWith('x-')) continue;
      const at = `${pointer}/responses/${encode(status)}`;
      const own = entry?.['x-inferred'] === true ? at : resolve(doc, entry)?.['x-inferred'] === true ? entry.$ref : undefined;
      rules.push({ pointer: at, kind: 'status', inferredAt: own ?? mark });
    }
  }
  return rules;
}

/** Every operation of the document, those of callbacks (inline or in components) included. */
function operations(doc) {
  const found = [];
  const walkPaths = (paths, base, inferredAt) => {
    for (const [path, item] of Object.entries(paths ?? {})) {
      if (path.startsWith('x-')) continue;
      const itemPointer = `${base}/${encode(path)}`;
      for (const method of METHODS) {
        const operation = item?.[method];
        if (!operation) continue;
        const pointer = `${itemPointer}/${method}`;
        found.push({ pointer, operation, inferredAt });
        for (const [name, callback] of Object.entries(operation.callbacks ?? {})) {
          if (callback.$ref === undefined) walkPaths(callback, `${pointer}/callbacks/${encode(name)}`, operation['x-inferred'] === true ? pointer : inferredAt);
        }
      }
    }
  };
  walkPaths(doc.paths, '#/paths', undefined);
  for (const [name, callback] of Object.entries(doc.components?.callbacks ?? {})) walkPaths(callback, `#/components/callbacks/${encode(name)}`, undefined);
  return found;
}

/** A JSON pointer as a reader says it: `POST /v1/images/jobs › responses › 403`, `schema Model › slug`. */
export function describePointer(pointer) {
  const segments = pointer.replace(/^#\/?/, '').split('/').filter(Boolean).map(decode);
  const words = [];
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i];
    const next = segments[i + 1];
    if (segment === 'paths' && next !== undefined) {
      const method = segments[i + 2];
      words.push(METHODS.includes(method) ? `${method.toUpperCase()} ${next}` : next);
      i += METHODS.includes(method) ? 2 : 1;
    } else if (segment === 'components' && next !== undefined && segments[i + 2] !== undefined) {
      words.push(`${next.replace(/s$/, '').replace(/ie$/, 'y')} ${segments[i + 2]}`);
      i += 2;
    } else if (segment === 'callbacks' && next !== undefined) {
      words.push(`callback ${next}`);
      i += 2; // the runtime expression of the callback URL
      const method = segments[i + 1];
      if (METHODS.includes(method)) {
        words.push(method.toUpperCase());
        i += 1;
      }
    } else if (segment === 'items') {
      words.push('[]');
    } else if (segment !== 'properties' && segment !== 'content' && segment !== 'schema') {
      words.push(segment);
    }
  }
  return words.join(' › ');
}

/** The inference report of one document: every node marked `x-inferred`, in document order. */
export function inferences(doc) {
  const found = [];
  const visit = (node, pointer) => {
    if (typeof node !== 'object' || node === null) return;
    if (!Array.isArray(node) && node['x-inferred'] === true) {
      found.push({ pointer, where: describePointer(pointer), reason: String(node['x-inferred-reason'] ?? '') });
    }
    for (const [key, child] of Object.entries(node)) if (!key.startsWith('x-')) visit(child, `${pointer}/${encode(key)}`);
  };
  visit(doc, '#');
  return found;
}

/** `{ title, version, count, inferences }` for one document: the report `GET /_mock/inferences` serves. */
export function inferenceReport(doc) {
  const list = inferences(doc);
  return { title: String(doc.info?.title ?? ''), version: String(doc.info?.version ?? ''), count: list.length, inferences: list };
}

const escapeMarkdown = (text) => text.replace(/[\\|*_`<>[\]]/g, (c) => `\\${c}`);

/**
 * The report as a Markdown section for the API's description, which Redoc renders as a page section
 * (with its own entry in the side menu): one table row per marked node, where it is and why.
 */
export function inferenceMarkdown(doc) {
  const list = inferences(doc);
  const rows = list.map(({ where, reason }) => `| ${escapeMarkdown(where)} | ${escapeMarkdown(reason)} |`);
  return [
    '## Inference report',
    '',
    `This contract marks **${list.length}** node${list.length === 1 ? '' : 's'} \`x-inferred\`: rules and facts the vendor's page only implies.`,
    'Everything else is stated by the page. Confirm these against the real service before you rely on them;',
    'the mock server behaves as written here and lists the same nodes at `GET /_mock/inferences`.',
    '',
    '| Where | Why it is believed |',
    '|---|---|',
    ...rows,
    '',
  ].join('\n');
}
