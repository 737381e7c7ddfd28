// The JSON body parser reads the common body itself (src/core/pipeline/body-reader.ts) and leaves
// the rest to body-parser. Both are held side by side here, table-driven: for every body, valid or
// not, the parser gives the handler the same req.body, or the error stage the same error (status,
// type, message, details, the problem for a refusal of ours), as body-parser configured the same way.
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';

import express from 'express';
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { describe, expect, it } from 'vitest';

import { busboyMultipartParser, multipartParser } from '../src/core/form-body.js';
import type { MultipartLimits } from '../src/core/form-body.js';
import { listOperations } from '../src/core/operations.js';
import { bodyParserForm, bodyParserJson, formParser, jsonParser } from '../src/core/pipeline/body.js';
import { ProblemError } from '../src/core/problems.js';
import type { OpenApiDocument } from '../src/core/spec-document.js';
import type { RequestContext } from '../src/core/vendor-api.js';
import { listen } from './listen.js';

const doc = {
  openapi: '3.0.3',
  info: { title: 'bodies', version: '1' },
  paths: {
    '/things': {
      post: {
        operationId: 'createThing',
        requestBody: {
          content: {
            'application/json': { schema: { type: 'object', properties: { prompt: { type: 'string', maxLength: 10 } } } },
            'application/x-www-form-urlencoded': { schema: { type: 'object', properties: { prompt: { type: 'string', maxLength: 10 } } } },
          },
        },
        responses: { '200': { description: 'ok' } },
      },
    },
  },
} as unknown as OpenApiDocument;
const operation = listOperations(doc)[0]!;
/** Small, so a body over it is cheap to send. */
const LIMIT = '1kb';

/** What reached the handler or the error stage, as comparable data. */
type Outcome = { body: unknown; taken: boolean; uploads?: unknown[]; marks?: unknown[] } | { error: Record<string, unknown> };

const DETAILS = ['status', 'statusCode', 'expose', 'type', 'limit', 'length', 'expected', 'received', 'code', 'charset', 'encoding'] as const;

function describeError(error: unknown): Record<string, unknown> {
  const e = error as Record<string, unknown> & Error;
  const described: Record<string, unknown> = { message: e.message, problem: error instanceof ProblemError ? error.problem : undefined };
  for (const key of DETAILS) described[key] = e[key];
  described.body = Buffer.isBuffer(e.body) ? { bytes: e.body.toString('base64') } : e.body;
  return described;
}

/** A server whose only body parser is `parser`; every outcome is also recorded, for a request nobody can be answered. */
async function serverWith(parser: RequestHandler) {
  const outcomes: Outcome[] = [];
  const app = express();
  app.use((req, _res, next) => {
    req.mock = { operation, principal: undefined, prefer: new Map(), requestedOutcome: undefined, uploads: [] } as RequestContext;
    next();
  });
  app.use(parser);
  app.use((req, res) => {
    const uploads = req.mock!.uploads.map((file) => ({ ...file, bytes: file.bytes.toString('base64') }));
    // What a parser leaves on the request besides the body (the form's field names, for coerceForms).
    const marks = Object.getOwnPropertySymbols(req).flatMap((symbol) => {
      const mark = (req as unknown as Record<symbol, unknown>)[symbol];
      return mark instanceof Map ? [[symbol.description, [...(mark as Map<string, () => string>)].map(([name, value]) => [name, value()])]] : [];
    });
    const outcome = { body: req.body as unknown, taken: (req as { _body?: boolean })._body === true, ...(uploads.length > 0 ? { uploads } : {}), ...(marks.length > 0 ? { marks } : {}) };
    outcomes.push(outcome);
    res.json(outcome);
  });
  const fail: ErrorRequestHandler = (error, _req, res, _next) => {
    const outcome = { error: describeError(error) };
    outcomes.push(outcome);
    res.status(299).json(outcome);
  };
  app.use(fail);
  const { server } = await listen(app);
  return { port: (server.address() as AddressInfo).port, outcomes };
}

interface Case {
  headers: Record<string, string>;
  /** The body, sent in this many writes (so the server sees it in several chunks). */
  parts: Buffer[];
  /** Leave the body this many bytes short of its Content-Length and close the connection. */
  abortShort?: number;
}

/** Sends one request and resolves with the answer, or `'no answer'` when the connection ends without one. */
function send(port: number, { headers, parts, abortShort }: Case): Promise<unknown> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/things', headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown }));
    });
    req.on('error', () => resolve('no answer'));
    const write = (index: number) => {
      if (index === parts.length) {
        if (abortShort === undefined) req.end();
        else setTimeout(() => req.destroy(), 50);
        return;
      }
      req.write(parts[index]!);
      setTimeout(() => write(index + 1), 5);
    };
    write(0);
  });
}

const json = (text: string | Buffer, contentType = 'application/json', extra: Record<string, string> = {}): Case => {
  const bytes = Buffer.isBuffer(text) ? text : Buffer.from(text);
  return { headers: { 'content-type': contentType, 'content-length': String(bytes.length), ...extra }, parts: [bytes] };
};
const inParts = (text: string, size: number): Case => {
  const bytes = Buffer.from(text);
  const parts: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += size) parts.push(bytes.subarray(at, at + size));
  return { headers: { 'content-type': 'application/json', 'content-length': String(bytes.length) }, parts };
};
const chunked = (text: string, contentType = 'application/json'): Case => ({ headers: { 'content-type': contentType, 'transfer-encoding': 'chunked' }, parts: [Buffer.from(text)] });

const CASES: Array<[string, Case]> = [
  ['an object', json('{"prompt":"a cat","n":1}')],
  ['an object, charset=utf-8', json('{"prompt":"a cat"}', 'application/json; charset=utf-8')],
  ['an object, Content-Type in capitals', json('{"prompt":"a cat"}', 'Application/JSON;Charset=UTF-8')],
  ['non-ASCII text', json('{"prompt":"café ☕ 猫"}')],
  ['a byte order mark first', json(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"prompt":"bom"}')]))],
  ['only a byte order mark', json(Buffer.from([0xef, 0xbb, 0xbf]))],
  ['invalid UTF-8 inside a string', json(Buffer.concat([Buffer.from('{"prompt":"'), Buffer.from([0xff, 0xc3]), Buffer.from('"}')]))],
  ['a truncated UTF-8 sequence at the end', json(Buffer.concat([Buffer.from('{"prompt":"x"} '), Buffer.from([0xe2, 0x82])]))],
  ['an empty body', json('')],
  ['whitespace only', json('  \n ')],
  ['null', json('null')],
  ['a number', json('1')],
  ['a string', json('"x"')],
  ['an array', json('[1,2]')],
  ['unterminated JSON', json('{"prompt":')],
  ['trailing garbage', json('{"prompt":"a"} x')],
  ['single quotes', json("{'prompt':'a'}")],
  ['__proto__ as a member', json('{"__proto__":{"admin":true},"prompt":"a"}')],
  ['an object in many small chunks', inParts(`{"prompt":"a cat","pad":"${'p'.repeat(300)}"}`, 7)],
  ['a prompt certainly over its maxLength', json(`{"prompt":"${'x'.repeat(500)}"}`)],
  ['a prompt over its maxLength, arriving in chunks', inParts(`{"prompt":"${'x'.repeat(600)}","n":1}`, 50)],
  ['a prompt a little over its maxLength (left to the validator)', json('{"prompt":"twelve chars"}')],
  ['nesting deeper than the limit', json(`${'['.repeat(70)}${']'.repeat(70)}`)],
  ['more items than the limit', json(`[${'1,'.repeat(10_050)}1]`.slice(0, 1000))],
  ['a body over the limit', json(`{"prompt":"a","pad":"${'p'.repeat(2000)}"}`)],
  ['a Content-Length over the limit, body short', { headers: { 'content-type': 'application/json', 'content-length': '5000' }, parts: [Buffer.from('{}')], abortShort: 4998 }],
  ['a chunked body', chunked('{"prompt":"chunked"}')],
  ['a chunked body over the limit', chunked(`{"pad":"${'p'.repeat(2000)}"}`)],
  ['a gzip body', { headers: { 'content-type': 'application/json', 'content-encoding': 'gzip', 'content-length': String(gzipSync('{"prompt":"gz"}').length) }, parts: [gzipSync('{"prompt":"gz"}')] }],
  ['a gzip body that does not inflate', json('not gzip', 'application/json', { 'content-encoding': 'gzip' })],
  ['Content-Encoding: identity', json('{"prompt":"id"}', 'application/json', { 'content-encoding': 'identity' })],
  ['an unknown Content-Encoding', json('{"prompt":"br"}', 'application/json', { 'content-encoding': 'br' })],
  ['charset=latin1', json('{"prompt":"l1"}', 'application/json; charset=latin1')],
  ['charset=utf-16le', json(Buffer.from('{"prompt":"u16"}', 'utf16le'), 'application/json; charset=utf-16le')],
  ['a +json type', json('{"prompt":"vnd"}', 'application/vnd.api+json')],
  ['a malformed Content-Type', json('{"prompt":"m"}', 'application/json; charset')],
  ['a form', json('prompt=a', 'application/x-www-form-urlencoded')],
  ['a form with a charset', json('prompt=a', 'application/x-www-form-urlencoded; charset=utf-8')],
  ['multipart', json('--b\r\n\r\n--b--', 'multipart/form-data; boundary=b')],
  ['text/plain', json('{"prompt":"t"}', 'text/plain')],
  ['no Content-Type', { headers: { 'content-length': '2' }, parts: [Buffer.from('{}')] }],
  ['a body cut short by the client', { headers: { 'content-type': 'application/json', 'content-length': '100' }, parts: [Buffer.from('{"prompt":')], abortShort: 90 }],
];

describe('the JSON body parser against body-parser (express.json as the mock sets it up)', () => {
  it.each(CASES)('%s: the same body or the same error', async (_name, sent) => {
    const [lean, reference] = await Promise.all([serverWith(jsonParser(doc, LIMIT)), serverWith(bodyParserJson(doc, LIMIT))]);
    const answers = await Promise.all([send(lean.port, sent), send(reference.port, sent)]);
    expect(answers[0]).toEqual(answers[1]);
    // A request nobody can answer must still reach the error stage (or nothing at all) in both.
    if (sent.abortShort !== undefined) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(lean.outcomes).toEqual(reference.outcomes);
    expect(lean.outcomes.length).toBeLessThanOrEqual(1);
  });

  it('takes the common body itself: body-parser never sees it', async () => {
    // body-parser marks what it read with `req._body` before its reader runs, and its reader
    // listens for `aborted`: the lean reader's listeners are gone once the body is read.
    const listeners: number[] = [];
    const app = express();
    app.use((req, _res, next) => {
      req.mock = { operation, principal: undefined, prefer: new Map(), requestedOutcome: undefined, uploads: [] } as RequestContext;
      next();
    });
    app.use(jsonParser(doc, LIMIT));
    app.use((req, res) => {
      listeners.push(req.listenerCount('data') + req.listenerCount('aborted') + req.listenerCount('end'));
      res.json(req.body);
    });
    const { server } = await listen(app);
    const answer = await send((server.address() as AddressInfo).port, json('{"prompt":"a cat"}'));
    expect(answer).toEqual({ status: 200, body: { prompt: 'a cat' } });
    expect(listeners).toEqual([0]);
  });
});

// The same for multipart bodies: text fields split here when the body is small and plain, busboy
// for the rest, against busboy reading every body as it arrives.
const MULTIPART_LIMITS: MultipartLimits = { bodyBytes: 200 * 1024, fieldBytes: 100, parts: 8 };
const B = 'bench-boundary';
const field = (name: string, value: string, boundary = B) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
const multipart = (body: string | Buffer, contentType = `multipart/form-data; boundary=${B}`): Case => json(body, contentType);
const fields = (count: number) => `${Array.from({ length: count }, (_, index) => field(`f${index}`, `v${index}`)).join('')}--${B}--\r\n`;

const MULTIPART_CASES: Array<[string, Case]> = [
  ['the bench body', multipart(`${field('prompt', 'A photorealistic portrait')}${field('model', 'photon-v2')}${field('resolution', '1080p')}--${B}--\r\n`)],
  ['no CRLF after the closing boundary', multipart(`${field('prompt', 'a')}--${B}--`)],
  ['an epilogue after the closing boundary', multipart(`${field('prompt', 'a')}--${B}--\r\nepilogue`)],
  ['a preamble', multipart(`preamble\r\n${field('prompt', 'a')}--${B}--\r\n`)],
  ['a quoted boundary', multipart(`${field('prompt', 'a', 'a:b')}--a:b--\r\n`, 'multipart/form-data; boundary="a:b"')],
  ['the type in capitals', multipart(`${field('prompt', 'a')}--${B}--\r\n`, `Multipart/Form-Data; boundary=${B}`)],
  ['the boundary parameter in capitals', multipart(`${field('prompt', 'a')}--${B}--\r\n`, `multipart/form-data; BOUNDARY=${B}`)],
  ['no boundary', multipart(`${field('prompt', 'a')}--${B}--\r\n`, 'multipart/form-data')],
  ['a charset parameter too', multipart(`${field('prompt', 'a')}--${B}--\r\n`, `multipart/form-data; boundary=${B}; charset=utf-8`)],
  ['UTF-8 values', multipart(`${field('prompt', 'café ☕ 猫')}--${B}--\r\n`)],
  ['invalid UTF-8 in a value', multipart(Buffer.concat([Buffer.from(`--${B}\r\nContent-Disposition: form-data; name="prompt"\r\n\r\n`), Buffer.from([0xff, 0xc3]), Buffer.from(`\r\n--${B}--\r\n`)]))],
  ['a non-ASCII name', multipart(`${field('prómpt', 'a')}--${B}--\r\n`)],
  ['a name with an escaped quote', multipart(`--${B}\r\nContent-Disposition: form-data; name="a\\"b"\r\n\r\nv\r\n--${B}--\r\n`)],
  ['NAME in capitals', multipart(`--${B}\r\nContent-Disposition: form-data; NAME="prompt"\r\n\r\nv\r\n--${B}--\r\n`)],
  ['the header in odd case, FORM-DATA', multipart(`--${B}\r\ncontent-DISPOSITION: FORM-DATA; name="prompt"\r\n\r\nv\r\n--${B}--\r\n`)],
  ['a part without a name', multipart(`--${B}\r\nContent-Disposition: form-data\r\n\r\nv\r\n${field('prompt', 'a')}--${B}--\r\n`)],
  ['an empty name', multipart(`${field('', 'v')}--${B}--\r\n`)],
  ['__proto__ as a name', multipart(`${field('__proto__', 'v')}--${B}--\r\n`)],
  ['a repeated name', multipart(`${field('tag', 'a')}${field('tag', 'b')}${field('tag', 'c')}--${B}--\r\n`)],
  ['an empty value', multipart(`${field('prompt', '')}--${B}--\r\n`)],
  ['a value holding the boundary without CRLF', multipart(`${field('prompt', `x--${B}y`)}--${B}--\r\n`)],
  ['a value of 99 bytes (the field limit is 100)', multipart(`${field('prompt', 'x'.repeat(99))}--${B}--\r\n`)],
  ['a value of 100 bytes', multipart(`${field('prompt', 'x'.repeat(100))}--${B}--\r\n`)],
  ['a value over the field limit', multipart(`${field('prompt', 'x'.repeat(500))}--${B}--\r\n`)],
  ['7 fields (the part limit is 8)', multipart(fields(7))],
  ['8 fields', multipart(fields(8))],
  ['9 fields', multipart(fields(9))],
  ['a part with a Content-Type', multipart(`--${B}\r\nContent-Disposition: form-data; name="prompt"\r\nContent-Type: text/plain; charset=latin1\r\n\r\ncaf\xe9\r\n--${B}--\r\n`)],
  ['a file', multipart(`--${B}\r\nContent-Disposition: form-data; name="image"; filename="a.png"\r\nContent-Type: image/png\r\n\r\nPNGDATA\r\n${field('prompt', 'a')}--${B}--\r\n`)],
  ['no closing boundary', multipart(`${field('prompt', 'a')}`)],
  ['only the closing boundary', multipart(`--${B}--\r\n`)],
  ['an empty body', multipart('')],
  ['LF line endings', multipart(`--${B}\nContent-Disposition: form-data; name="prompt"\n\na\n--${B}--\n`)],
  ['garbage after a boundary', multipart(`--${B}\r\nContent-Disposition: form-data; name="prompt"\r\n\r\na\r\n--${B}xx\r\n--${B}--\r\n`)],
  ['a malformed part header', multipart(`--${B}\r\nContent Disposition form-data\r\n\r\na\r\n--${B}--\r\n`)],
  ['a body larger than the plain-body size', multipart(`${Array.from({ length: 7 }, (_, index) => field(`f${index}`, 'x'.repeat(99))).join('')}--${B}\r\nContent-Disposition: form-data; name="image"; filename="a.bin"\r\n\r\n${'y'.repeat(70_000)}\r\n--${B}--\r\n`)],
  ['a chunked body', { headers: { 'content-type': `multipart/form-data; boundary=${B}`, 'transfer-encoding': 'chunked' }, parts: [Buffer.from(`${field('prompt', 'a')}--${B}--\r\n`)] }],
  ['a body in many small chunks', { ...multipart(`${field('prompt', 'a cat')}${field('model', 'm')}--${B}--\r\n`), parts: Buffer.from(`${field('prompt', 'a cat')}${field('model', 'm')}--${B}--\r\n`).toString('latin1').match(/[\s\S]{1,9}/g)!.map((part) => Buffer.from(part, 'latin1')) }],
  ['an upload cut short by the client', { headers: { 'content-type': `multipart/form-data; boundary=${B}`, 'content-length': '400' }, parts: [Buffer.from(field('prompt', 'a'))], abortShort: 300 }],
  ['a JSON body', json('{"prompt":"a"}')],
];

describe('the multipart parser against busboy reading every body as it arrives', () => {
  it.each(MULTIPART_CASES)('%s: the same fields and files or the same error', async (_name, sent) => {
    const [lean, reference] = await Promise.all([serverWith(multipartParser(MULTIPART_LIMITS)), serverWith(busboyMultipartParser(MULTIPART_LIMITS))]);
    const answers = await Promise.all([send(lean.port, sent), send(reference.port, sent)]);
    expect(answers[0]).toEqual(answers[1]);
    if (sent.abortShort !== undefined) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(lean.outcomes).toEqual(reference.outcomes);
    expect(lean.outcomes.length).toBeLessThanOrEqual(1);
  });
});

// The same for URL-encoded forms: read here and parsed by qs with body-parser's options, against
// express.urlencoded reading every body.
const form = (text: string | Buffer, contentType = 'application/x-www-form-urlencoded') => json(text, contentType);
const FORM_CASES: Array<[string, Case]> = [
  ['the bench run', form('model_id=hidream-l1&prompt=A+beautiful+sunset&negative_prompt=blurry%2C+low+quality&guidance_scale=7.5&num_inference_steps=30')],
  ['the bench check', form('request_id=212121212121212')],
  ['charset=utf-8', form('prompt=a', 'application/x-www-form-urlencoded; charset=utf-8')],
  ['the type in capitals', form('prompt=a', 'Application/X-WWW-Form-URLEncoded')],
  ['charset=latin1', form('prompt=a', 'application/x-www-form-urlencoded; charset=latin1')],
  ['UTF-8 escapes and raw UTF-8', form('prompt=caf%C3%A9&other=☕')],
  ['a malformed escape', form('prompt=100%zz&b=%E2%82')],
  ['a repeated name', form('tag=a&tag=b&tag=c')],
  ['brackets', form('a[b]=1&a[c][d]=2&list[]=x&list[]=y&idx[0]=p&idx[5]=q')],
  ['dots (not nesting without allowDots)', form('a.b=1')],
  ['nesting deeper than 32 levels', form(`a${'[x]'.repeat(40)}=1`)],
  ['prototype names', form('__proto__=x&toString=1&hasOwnProperty=2&constructor[prototype][polluted]=1&prompt=a')],
  ['__proto__ nested', form('__proto__[admin]=1&prompt=a')],
  ['empty parts and keys', form('&&=x&k&k2=&prompt=a&&')],
  ['an empty body', form('')],
  ['a byte order mark first', form(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('prompt=bom')]))],
  ['invalid UTF-8 bytes', form(Buffer.concat([Buffer.from('prompt='), Buffer.from([0xff, 0xfe])]))],
  ['1000 parameters', form(Array.from({ length: 1000 }, () => 'a').join('&'))],
  ['1001 parameters', form(Array.from({ length: 1001 }, () => 'a').join('&'))],
  ['JSON sent as a form', form('{"prompt":"a"}')],
  ['a JSON array sent as a form', form(' [1,2] ')],
  ['a prompt certainly over its maxLength', form(`prompt=${'x'.repeat(200)}&n=1`)],
  ['a prompt over its maxLength, arriving in chunks', { ...form(`n=1&prompt=${'x'.repeat(300)}`), parts: Buffer.from(`n=1&prompt=${'x'.repeat(300)}`).toString('latin1').match(/[\s\S]{1,40}/g)!.map((part) => Buffer.from(part)) }],
  ['a prompt a little over its maxLength (left to the validator)', form('prompt=twelve+chars')],
  ['an escaped key over its maxLength', form(`pr%6Fmpt=${'x'.repeat(200)}`)],
  ['a body over the limit', form(`prompt=a&pad=${'p'.repeat(2000)}`)],
  ['a chunked body', { headers: { 'content-type': 'application/x-www-form-urlencoded', 'transfer-encoding': 'chunked' }, parts: [Buffer.from('prompt=chunked')] }],
  ['a gzip body', { headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-encoding': 'gzip', 'content-length': String(gzipSync('prompt=gz').length) }, parts: [gzipSync('prompt=gz')] }],
  ['a body cut short by the client', { headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': '100' }, parts: [Buffer.from('prompt=a')], abortShort: 92 }],
  ['a JSON body', json('{"prompt":"a"}')],
];

describe('the form parser against body-parser (express.urlencoded as the mock sets it up)', () => {
  it.each(FORM_CASES)('%s: the same body or the same error', async (_name, sent) => {
    const [lean, reference] = await Promise.all([serverWith(formParser(doc, LIMIT)), serverWith(bodyParserForm(doc, LIMIT))]);
    const answers = await Promise.all([send(lean.port, sent), send(reference.port, sent)]);
    expect(answers[0]).toEqual(answers[1]);
    if (sent.abortShort !== undefined) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(lean.outcomes).toEqual(reference.outcomes);
    expect(lean.outcomes.length).toBeLessThanOrEqual(1);
  });
});
