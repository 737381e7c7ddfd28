import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { filenameFromContentDisposition, readResponseBytes, saveResponseToFile } from '../src/download.js';

const encoder = new TextEncoder();

/** A body that yields `chunks`, then either ends or fails with `error`. */
function streamOf(chunks: readonly string[], error?: Error): ReadableStream<Uint8Array> {
  let index = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      const chunk = chunks[index++];
      if (chunk !== undefined) controller.enqueue(encoder.encode(chunk));
      else if (error) controller.error(error);
      else controller.close();
    },
  });
}

describe('readResponseBytes', () => {
  it('returns the body bytes', async () => {
    const bytes = await readResponseBytes(new Response(new Uint8Array([0x89, 0x50, 0x4e, 0x47])));

    expect(bytes).toBeInstanceOf(Uint8Array);
    expect([...bytes]).toEqual([0x89, 0x50, 0x4e, 0x47]);
  });
});

describe('saveResponseToFile', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'client-kit-download-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it.each([
    { name: 'a streamed body', body: () => streamOf(['PNG', 'DATA', '!']), content: 'PNGDATA!' },
    { name: 'an empty body', body: () => streamOf([]), content: '' },
    { name: 'no body', body: () => null, content: '' },
  ])('writes $name and reports its size', async ({ body, content }) => {
    const target = path.join(dir, 'image.png');

    const saved = await saveResponseToFile(new Response(body()), target);

    expect(saved).toEqual({ path: target, bytes: content.length });
    await expect(readFile(target, 'utf8')).resolves.toBe(content);
    expect(await readdir(dir)).toEqual(['image.png']);
  });

  it('replaces an existing file', async () => {
    const target = path.join(dir, 'image.png');
    await writeFile(target, 'old contents');

    await saveResponseToFile(new Response(streamOf(['new'])), target);

    await expect(readFile(target, 'utf8')).resolves.toBe('new');
  });

  it.each([
    { name: 'before any data', chunks: [] },
    { name: 'midway', chunks: ['PNG', 'DA'] },
  ])('leaves nothing behind when the stream errors $name', async ({ chunks }) => {
    const failure = new Error('connection reset');
    const target = path.join(dir, 'image.png');

    await expect(saveResponseToFile(new Response(streamOf(chunks, failure)), target)).rejects.toBe(failure);

    expect(await readdir(dir)).toEqual([]);
  });

  it('rejects with the file system error when the directory does not exist', async () => {
    const target = path.join(dir, 'missing', 'image.png');

    await expect(saveResponseToFile(new Response(streamOf(['data'])), target)).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await readdir(dir)).toEqual([]);
  });

  it('keeps the previous file intact when a replacement download fails', async () => {
    const target = path.join(dir, 'image.png');
    await writeFile(target, 'old contents');

    await expect(
      saveResponseToFile(new Response(streamOf(['half'], new Error('reset'))), target),
    ).rejects.toThrow('reset');

    await expect(readFile(target, 'utf8')).resolves.toBe('old contents');
    expect(await readdir(dir)).toEqual(['image.png']);
  });

  it('stops on abort, rejects with the reason and leaves nothing behind', async () => {
    const controller = new AbortController();
    const reason = new Error('user cancelled');
    // Sends one chunk, aborts, then never sends another: only the abort can end the download.
    const body = new ReadableStream<Uint8Array>({
      start(streamController) {
        streamController.enqueue(encoder.encode('first'));
        setTimeout(() => controller.abort(reason), 10);
      },
    });

    await expect(
      saveResponseToFile(new Response(body), path.join(dir, 'image.png'), { signal: controller.signal }),
    ).rejects.toBe(reason);

    expect(await readdir(dir)).toEqual([]);
  });

  it('rejects with the reason and writes nothing when the signal has already aborted', async () => {
    const reason = new Error('too late');

    await expect(
      saveResponseToFile(new Response(streamOf(['data'])), path.join(dir, 'image.png'), {
        signal: AbortSignal.abort(reason),
      }),
    ).rejects.toBe(reason);

    expect(await readdir(dir)).toEqual([]);
  });
});

describe('filenameFromContentDisposition', () => {
  it.each([
    { header: null, expected: undefined },
    { header: 'attachment', expected: undefined },
    { header: 'attachment; filename="cat.png"', expected: 'cat.png' },
    { header: 'attachment; filename=cat.png', expected: 'cat.png' },
    { header: 'inline; name="field"; filename=cat.png', expected: 'cat.png' },
    { header: 'attachment; FILENAME="Upper.PNG"', expected: 'Upper.PNG' },
    { header: 'attachment; xfilename=evil.png; filename=good.png', expected: 'good.png' },
    { header: 'attachment; filename=first.png; filename=second.png', expected: 'first.png' },
    { header: 'attachment; filename="a \\"quoted\\" name.png"', expected: 'a "quoted" name.png' },
    { header: 'attachment; filename="semi;colon.png"; size=3', expected: 'semi;colon.png' },
    { header: "attachment; filename*=UTF-8''na%C3%AFve%20cat.png", expected: 'naïve cat.png' },
    { header: "attachment; filename*=utf-8'en'fox.png", expected: 'fox.png' },
    { header: "attachment; filename*=iso-8859-1''caf%E9.png", expected: 'café.png' },
    { header: "attachment; filename=\"fallback.png\"; filename*=UTF-8''r%C3%A9sum%C3%A9.png", expected: 'résumé.png' },
    { header: "attachment; filename*=UTF-8''bad%E0%A4; filename=ok.png", expected: 'ok.png' },
    { header: "attachment; filename*=KOI8-R''x.png; filename=ok.png", expected: 'ok.png' },
    { header: 'attachment; filename="../../etc/passwd"', expected: 'passwd' },
    { header: 'attachment; filename=..\\..\\evil.exe', expected: 'evil.exe' },
    { header: 'attachment; filename=".."', expected: undefined },
    { header: 'attachment; filename=""', expected: undefined },
    { header: 'attachment; filename="dir/"', expected: undefined },
  ])('reads $header as $expected', ({ header, expected }) => {
    expect(filenameFromContentDisposition(header)).toBe(expected);
  });
});
