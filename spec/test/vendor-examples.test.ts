// The vendors' own examples, read out of the pages kept in <slug>/source/, validate against the
// specs once the text copy's placeholders are filled in the way a reader would: the inline image
// ($REFERENCE_IMAGE_BASE64), the webhook signature (<hmac_hex>) and the e-mail addresses the page
// copy obfuscated ([email protected]). Luma's response example is a generated placeholder (a queued
// generation that already failed and has outputs) that the spec rightly refuses, and says so.
import { createHmac } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const specDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const TINY_PNG_BASE64 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';
/** What the page copy turned every e-mail address into (Cloudflare's obfuscation). */
const OBFUSCATED_EMAIL = '[email protected]';

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;

function pageOf(slug: string): string {
  const dir = join(specDir, slug, 'source');
  return readdirSync(dir).map((file) => readFileSync(join(dir, file), 'utf8')).join('\n');
}

/** A validator of `#/components/...` pointers of one spec; `coerce` reads form values (all text) as their types. */
function validatorOf(slug: string, options: { coerce?: boolean } = {}) {
  const doc = parse(readFileSync(join(specDir, slug, 'openapi.yaml'), 'utf8')) as Record<string, unknown>;
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateSchema: false, coerceTypes: options.coerce ?? false });
  addFormats(ajv);
  for (const format of ['binary', 'int32', 'int64', 'float', 'double']) ajv.addFormat(format, true);
  const id = `https://imagegen.invalid/${slug}`;
  ajv.addSchema({ ...doc, $id: id });
  return (pointer: string, value: unknown): string[] => {
    const validate = ajv.compile({ $ref: `${id}${pointer}` });
    return validate(value) ? [] : (validate.errors ?? []).map((error) => `${error.instancePath || '/'} ${error.message}`);
  };
}

/** The JSON value that starts at the first `{` after `marker` (its `nth` occurrence), read to its closing brace. */
function jsonAfter(text: string, marker: string, nth = 1): unknown {
  let at = -1;
  for (let i = 0; i < nth; i++) {
    at = text.indexOf(marker, at + 1);
    if (at < 0) throw new Error(`"${marker}" (#${nth}) is not on the page`);
  }
  const start = text.indexOf('{', at);
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') {
      depth--;
      if (depth === 0) return JSON.parse(text.slice(start, i + 1));
    }
  }
  throw new Error(`no complete JSON after "${marker}"`);
}

/** Every curl command's path and its `-d '{...}'` JSON body. */
function curlJsonBodies(text: string): Array<{ path: string; body: unknown }> {
  const found: Array<{ path: string; body: unknown }> = [];
  // The body must belong to the same command: no other `curl ` between the URL and `-d`.
  for (const match of text.matchAll(/curl (?:-X POST )?[^\n]*?(https?:\/\/\S+|\/\S+)(?:(?!curl )[\s\S])*?-d '(\{[\s\S]*?\})'/g)) {
    found.push({ path: match[1]!.replace(/["']/g, ''), body: JSON.parse(match[2]!) });
  }
  return found;
}

const fill = (text: string) => text.replaceAll('$REFERENCE_IMAGE_BASE64', TINY_PNG_BASE64).replaceAll(OBFUSCATED_EMAIL, 'user@example.com');

describe('LumixAI page examples', () => {
  const page = fill(pageOf('lumixai'));
  const check = validatorOf('lumixai');

  it('every curl request body is an ImageGenerationRequest', () => {
    const bodies = curlJsonBodies(page);
    expect(bodies.length).toBeGreaterThanOrEqual(5);
    for (const { path, body } of bodies) expect(check('#/components/schemas/ImageGenerationRequest', body), path).toEqual([]);
  });

  it.each([
    ['create', 1, '#/components/schemas/ImageJobCreateResponse'],
    ['poll', 2, '#/components/schemas/ImageJobStatusResponse'],
    ['synchronous generation', 3, '#/components/schemas/ImageGenerationResponse'],
    ['models', 4, '#/components/schemas/ModelList'],
  ] as const)('the %s response', (_name, nth, pointer) => {
    expect(check(pointer, jsonAfter(page, 'Response\n{', nth))).toEqual([]);
  });

  it('the error response format', () => {
    expect(check('#/components/schemas/InsufficientCreditsErrorBody', jsonAfter(page, 'Error response format'))).toEqual([]);
  });
});

describe('Lumen page examples', () => {
  const page = fill(pageOf('lumen'));
  const check = validatorOf('lumen');
  const schemaByPath: Record<string, string> = { generations: 'GenerationRequest', edits: 'EditRequest', inpaint: 'InpaintRequest' };

  it('every curl request body is the request of its endpoint', () => {
    const bodies = curlJsonBodies(page);
    expect(bodies.map(({ path }) => path.split('/').at(-1)).sort()).toEqual(['edits', 'generations', 'generations', 'inpaint']);
    for (const { path, body } of bodies) expect(check(`#/components/schemas/${schemaByPath[path.split('/').at(-1)!]}`, body), path).toEqual([]);
  });

  it.each([
    ['the immediate answer', '# ', '#/components/schemas/TaskCreated'],
    ['processing', '# 处理中:', '#/components/schemas/Task'],
    ['succeeded', '# 成功:', '#/components/schemas/Task'],
    ['failed', '# 失败:', '#/components/schemas/Task'],
    ['the webhook body', 'X-Lumen-Timestamp: 1700000000', '#/components/schemas/TerminalTask'],
  ] as const)('%s', (_name, marker, pointer) => {
    expect(check(pointer, jsonAfter(page, marker))).toEqual([]);
  });

  it('the webhook headers, <hmac_hex> being the HMAC of the body with the example secret', () => {
    const body = JSON.stringify(jsonAfter(page, 'X-Lumen-Timestamp: 1700000000'));
    const signatureLine = /X-Lumen-Signature: (\S+)/.exec(page)![1]!;
    const signature = signatureLine.replace('<hmac_hex>', createHmac('sha256', 'your-secret').update(body).digest('hex'));
    expect(check('#/components/parameters/SignatureHeader/schema', signature)).toEqual([]);
    expect(check('#/components/parameters/TimestampHeader/schema', Number(/X-Lumen-Timestamp: (\d+)/.exec(page)![1]))).toEqual([]);
  });
});

describe('Luma Agents page examples', () => {
  const page = pageOf('luma-agents');
  const check = validatorOf('luma-agents');

  it('the curl request body is a GenerationCreateRequest', () => {
    const [request] = curlJsonBodies(page);
    expect(check('#/components/requestBodies/GenerationCreateRequest/content/application~1json/schema', request!.body)).toEqual([]);
  });

  it('the response example is a generated placeholder the spec refuses, and the spec says so', () => {
    const example = jsonAfter(page, 'Returns Examples') as Record<string, unknown>;
    expect(example).toMatchObject({ state: 'queued', failure_code: 'content_moderated', created_at: 'created_at' });
    expect(check('#/components/schemas/Generation', example)).not.toEqual([]);
    const spec = readFileSync(join(specDir, 'luma-agents', 'openapi.yaml'), 'utf8');
    expect(spec).toMatch(/example[\s\S]{0,200}is a generated placeholder/);
    // Its fields, once the placeholder's contradictions are gone, are a valid queued generation.
    const { failure_code: _code, failure_reason: _reason, output: _output, ...queued } = example;
    expect(check('#/components/schemas/Generation', { ...queued, created_at: '2026-05-01T09:30:00Z' })).toEqual([]);
  });
});

describe('useapi.net page examples', () => {
  const page = fill(pageOf('useapi-luma'));
  const check = validatorOf('useapi-luma');

  it('the request body and the curl body are ImagesRequests', () => {
    expect(check('#/components/schemas/ImagesRequest', jsonAfter(page, 'Request Body', 2))).toEqual([]);
    const [curl] = [...page.matchAll(/-d '(\{[^']*\})'/g)].map((match) => JSON.parse(match[1]!) as unknown);
    expect(check('#/components/schemas/ImagesRequest', curl)).toEqual([]);
  });

  it.each([
    ['the created batch (e-mails filled in)', 'Job created successfully. A batch of 4 images is generating in the background.', '#/components/schemas/ImagesCreated'],
    ['the validation error', 'Validation error.', '#/components/schemas/ErrorBody'],
    ['the invalid token', 'Invalid API token.', '#/components/schemas/ErrorBody'],
    ['the expired subscription', 'Subscription expired or insufficient credits.', '#/components/schemas/ErrorBody'],
    ['the moderation rejection', 'Content moderation rejection.', '#/components/schemas/ModerationErrorBody'],
    ['all accounts at capacity', 'free slots.', '#/components/schemas/CapacityErrorBody'],
    ['the session error', '596 Session Error', '#/components/schemas/ErrorBody'],
  ] as const)('%s', (_name, marker, pointer) => {
    expect(check(pointer, jsonAfter(page, marker))).toEqual([]);
  });
});

describe('LumozAI page examples', () => {
  const page = pageOf('lumozai');
  const check = validatorOf('lumozai');
  const checkForm = validatorOf('lumozai', { coerce: true });

  it('every curl form (-d "name=value") is the request of its endpoint, its values read as form text', () => {
    const commands = page.split('curl -X POST ').slice(1);
    expect(commands).toHaveLength(3);
    for (const command of commands) {
      const path = /\/api\/v4\/(\w+)/.exec(command)![1]!;
      const form = Object.fromEntries([...command.matchAll(/-d "([^=]+)=([^"]*)"/g)].map((match) => [match[1]!, match[2]!]));
      const schema = path === 'run' ? 'RunRequest' : 'CheckRequest';
      expect(checkForm(`#/components/schemas/${schema}`, form), path).toEqual([]);
    }
  });

  it.each([
    ['run', 'Success Response (200 OK)', '#/components/schemas/RunResponse'],
    ['check: processing', 'Success Response - Processing (200 OK)', '#/components/schemas/CheckResponse'],
    ['check: completed', 'Success Response - Completed (200 OK)', '#/components/schemas/CheckResponse'],
    ['check: failed', 'Error Response - Failed (200 OK)', '#/components/schemas/CheckResponse'],
    ['the error format', 'Error Response Example', '#/components/schemas/ValidationErrorBody'],
  ] as const)('%s', (_name, marker, pointer) => {
    expect(check(pointer, jsonAfter(page, marker))).toEqual([]);
  });
});
