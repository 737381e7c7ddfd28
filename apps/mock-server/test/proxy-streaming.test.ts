// The proxy streams the vendor's answer on as it arrives: a caller has the first bytes of a download
// (or of a JSON answer) before the vendor has sent the last, while JSON is still checked (a bounded
// copy) and binary bodies are never held. Each upstream here holds the rest of its answer back
// until the caller has seen the first part, which a buffering proxy can never deliver.
import { createServer } from 'node:http';
import type { ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import { describe, expect, it } from 'vitest';

import { closers, proxyTo } from './proxy-support.js';

const JOB = '6f1c2a9e-3b4d-4e5f-8a7b-9c0d1e2f3a4b';
const headers = { 'X-API-Key': 'a-real-customer-key' };
const FIRST_PART_WAIT_MS = 5_000;

/** An upstream that sends `head` and `first`, then `rest` only once `release()` is called. */
async function holdingUpstream(write: (res: ServerResponse) => { first: Buffer; rest: Buffer }): Promise<{ url: string; release: () => void }> {
  let release!: () => void;
  const released = new Promise<void>((done) => (release = done));
  const server = createServer((req, res) => {
    req.resume();
    const { first, rest } = write(res);
    res.write(first);
    void released.then(() => res.end(rest));
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  closers.push(() => new Promise((done) => { release(); server.closeAllConnections(); server.close(() => done()); }));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, release };
}

/** Reads the first chunk of `response`, or fails after a while: a buffering proxy sends nothing yet. */
async function firstChunk(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<Uint8Array> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('no byte reached the caller before the vendor finished')), FIRST_PART_WAIT_MS)));
  try {
    const { value } = await Promise.race([reader.read(), timeout]);
    return value!;
  } finally {
    clearTimeout(timer);
  }
}

async function rest(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return Buffer.concat(parts);
    parts.push(Buffer.from(value));
  }
}

describe('answers stream through the proxy', () => {
  it('a binary download reaches the caller as it arrives, byte for byte, checked by its headers', async () => {
    const image = Buffer.alloc(512 * 1024, 7);
    image.write('\x89PNG\r\n\x1a\n', 0, 'latin1');
    const vendor = await holdingUpstream((res) => {
      res.writeHead(200, { 'Content-Type': 'image/png', 'Content-Length': String(image.length), 'Content-Disposition': `inline; filename="${JOB}.png"` });
      return { first: image.subarray(0, 64 * 1024), rest: image.subarray(64 * 1024) };
    });
    const proxy = await proxyTo(vendor.url);
    const response = await fetch(`${proxy.base}/v1/images/results/${JOB}/download`, { headers });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-length')).toBe(String(image.length));
    const reader = response.body!.getReader();
    const first = await firstChunk(reader);
    vendor.release();
    expect(Buffer.concat([Buffer.from(first), await rest(reader)]).equals(image)).toBe(true);
    // Checked without the body: its Content-Disposition breaks the (inferred) pattern.
    await expect.poll(() => proxy.mock.drift.toJSON().drift.map(({ kind, pointer }) => `${kind} ${pointer}`)).toEqual(['constraint /headers/Content-Disposition']);
  });

  it('a JSON answer streams too, and is still checked once it has ended', async () => {
    const body = JSON.stringify({ id: JOB, status: 'running', created: 1778956800, usage: { image_count: 1 }, eta_seconds: 12 });
    const vendor = await holdingUpstream((res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      return { first: Buffer.from(body.slice(0, 20)), rest: Buffer.from(body.slice(20)) };
    });
    const proxy = await proxyTo(vendor.url);
    const response = await fetch(`${proxy.base}/v1/images/jobs/${JOB}`, { headers });
    const reader = response.body!.getReader();
    const first = await firstChunk(reader);
    vendor.release();
    expect(Buffer.concat([Buffer.from(first), await rest(reader)]).toString('utf8')).toBe(body);
    await expect.poll(() => proxy.mock.drift.toJSON().drift.map(({ kind, pointer }) => `${kind} ${pointer}`)).toEqual(['extra-field /eta_seconds']);
  });

  it('a JSON answer past the checking limit is passed on whole and checked by status and headers only', async () => {
    const body = JSON.stringify({ id: JOB, status: 'running', created: 1778956800, usage: { image_count: 1 }, padding: 'x'.repeat(4096) });
    const vendor = await holdingUpstream((res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      return { first: Buffer.from(body.slice(0, 100)), rest: Buffer.from(body.slice(100)) };
    });
    const proxy = await proxyTo(vendor.url, { proxy: { maxCheckedBytes: 1024 } });
    const response = await fetch(`${proxy.base}/v1/images/jobs/${JOB}`, { headers });
    const reader = response.body!.getReader();
    const first = await firstChunk(reader);
    vendor.release();
    expect(Buffer.concat([Buffer.from(first), await rest(reader)]).toString('utf8')).toBe(body);
    expect(proxy.mock.drift.toJSON().drift).toEqual([]);
  });

  it('a vendor that dies mid-answer cuts the caller\'s answer short rather than ending it as if whole', async () => {
    const server = createServer((req, res) => {
      req.resume();
      res.writeHead(200, { 'Content-Type': 'image/png', 'Content-Length': '100000' });
      res.write(Buffer.alloc(1000), () => setTimeout(() => res.destroy(), 20));
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    closers.push(() => new Promise((done) => { server.closeAllConnections(); server.close(() => done()); }));
    const proxy = await proxyTo(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    const response = await fetch(`${proxy.base}/v1/images/results/${JOB}/download`, { headers });
    expect(response.status).toBe(200);
    await expect(response.arrayBuffer()).rejects.toThrow();
  });
});
