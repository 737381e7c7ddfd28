import { Writable } from 'node:stream';

import { expect, it } from 'vitest';

import { batchedLineWriter } from '../src/batched-line-writer.js';

it('writes the lines of one event-loop turn in a single write, in order', async () => {
  const writes: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      writes.push(chunk.toString());
      done();
    },
  });
  const log = batchedLineWriter(stream);
  log('a');
  log('b');
  expect(writes).toEqual([]);
  await new Promise((resolve) => setImmediate(resolve));
  log('c');
  await new Promise((resolve) => setImmediate(resolve));
  expect(writes).toEqual(['a\nb\n', 'c\n']);
});
