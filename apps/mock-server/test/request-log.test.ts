// The inspector's request log (src/core/inspector/request-log.ts) keeps references, not copies: a
// JSON answer's text as it was sent, and Node's own record of the answer's headers, read when
// someone looks. What it shows must be what a copy at the time would have shown.
import type { OutgoingHttpHeaders } from 'node:http';

import express from 'express';
import type { RequestHandler } from 'express';
import { describe, expect, it } from 'vitest';

import { ManualClock } from '../src/core/clock.js';
import { BODY_PREVIEW_CHARS, RequestLog } from '../src/core/inspector/request-log.js';
import { maskHeaders } from '../src/core/secrets.js';
import { useLeanJsonResponses } from '../src/core/json-response.js';
import { noteAnswer } from '../src/core/answer-notes.js';
import { requestEvents } from '../src/request-logger.js';
import { listen } from './listen.js';

/** An app whose every answer the log keeps, and the headers each answer had when it finished, by path. */
async function logged(handler: RequestHandler) {
  const log = new RequestLog(new ManualClock(0), 10);
  const app = express();
  app.set('etag', false);
  useLeanJsonResponses(app);
  log.captureAnswers(app);
  const atFinish = new Map<string, OutgoingHttpHeaders>();
  app.use(requestEvents((event, res, at) => log.record(event, res, at)));
  app.use((req, res, next) => {
    noteAnswer(res, { api: 'test' });
    res.on('finish', () => atFinish.set(req.path, { ...res.getHeaders() }));
    next();
  });
  app.use(handler);
  const { url } = await listen(app);
  const shown = async (path: string) => {
    const sent = await fetch(`${url}${path}`);
    const body = Buffer.from(await sent.arrayBuffer()).toString('utf8');
    // The event is recorded when the response closes, just after the client has it all.
    const find = () => log.recent('test').find((candidate) => candidate.summary.path === path);
    for (let i = 0; i < 50 && find() === undefined; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    const kept = find()!;
    return { body, kept, record: log.get(kept.summary.id)!, headersAtFinish: atFinish.get(path)! };
  };
  return shown;
}

const NON_ASCII = 'crème brûlée, 東京, 🌅 ';

describe('the request log keeps answers by reference', () => {
  it.each([
    ['a short JSON answer', '/short', { id: 'job_1', prompt: NON_ASCII }],
    // Under BODY_PREVIEW_CHARS characters, over it in bytes: the kept head is cut at the byte limit.
    ['a JSON answer longer in bytes than the preview', '/long', { prompt: NON_ASCII.repeat(Math.ceil(BODY_PREVIEW_CHARS / NON_ASCII.length / 2)) }],
  ])('%s: the body and headers shown are those sent', async (_name, path, answer) => {
    const shown = await logged((_req, res) => {
      res.setHeader('Set-Cookie', ['a=1', 'b=2']);
      res.setHeader('X-Count', 7);
      res.setHeader('X-Api-Key', 'air_live_secret_0123456789');
      res.status(201).json(answer);
    });
    const { body, kept, record, headersAtFinish } = await shown(path);
    expect(kept.answerHeaders).toEqual(headersAtFinish);
    expect(record.answer.headers).toEqual(maskHeaders(headersAtFinish as Record<string, string>));
    expect(record.answer.headers['x-api-key']).not.toContain('secret');
    const bytes = Buffer.byteLength(body);
    expect(kept.answerBytes).toBe(bytes);
    if (bytes <= BODY_PREVIEW_CHARS) {
      expect(record.answer.body).toBe(body);
      expect(record.answer).not.toHaveProperty('truncated');
    } else {
      expect(kept.answerBody!.length).toBeLessThanOrEqual(BODY_PREVIEW_CHARS);
      expect(body.startsWith(kept.answerBody!.toString('utf8').replace(/\uFFFD+$/, ''))).toBe(true);
      expect(record.answer.truncated).toBe(true);
    }
  });

  it('an answer written in pieces after a first string: every piece counted, the head kept', async () => {
    const shown = await logged((_req, res) => {
      res.type('application/json');
      res.write('{"parts":[');
      res.write('"a",');
      res.end('"b"]}');
    });
    const { body, kept, record } = await shown('/pieces');
    expect(body).toBe('{"parts":["a","b"]}');
    expect(kept.answerBytes).toBe(body.length);
    expect(record.answer.body).toBe(body);
  });

  it('a binary answer: only its size', async () => {
    const shown = await logged((_req, res) => {
      res.type('image/png');
      res.end(Buffer.alloc(3000, 1));
    });
    const { kept, record } = await shown('/image');
    expect(kept.answerBytes).toBe(3000);
    expect(kept.answerBody).toBeUndefined();
    expect(record.answer.body).toBe('(3000 bytes of image/png)');
  });
});
