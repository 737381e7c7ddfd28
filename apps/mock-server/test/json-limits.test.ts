// The pre-parse check of JSON bodies (issue 6 row 5): counts structure, never what strings hold.
import { describe, expect, it } from 'vitest';

import { OverlongStringScanner, jsonComplexityError } from '../src/core/json-limits.js';

const limits = { maxDepth: 3, maxItems: 5 };
const check = (text: string) => jsonComplexityError(Buffer.from(text), limits);

describe('jsonComplexityError', () => {
  it.each([
    ['three levels', '{"a":[{"b":1}]}'],
    ['brackets inside a string', '{"a":"[[[[[[{{{{"}'],
    ['commas inside a string', '{"a":",,,,,,,,,,,,"}'],
    ['an escaped quote before brackets', '{"a":"\\"[[[[[[["}'],
    ['an escaped backslash, then the string ends', '{"a":"\\\\","b":[1,2]}'],
    ['five items', '[1,2,3,4,5]'],
    ['malformed JSON (left to the parser)', '{"a":"unterminated [[[[[[['],
  ])('passes %s', (_name, text) => {
    expect(check(text)).toBeUndefined();
  });

  it.each([
    ['four levels of arrays', '[[[[1]]]]', /nests deeper than 3 levels/],
    ['four levels of objects', '{"a":{"b":{"c":{"d":1}}}}', /nests deeper than 3 levels/],
    ['depth after a string with an escaped quote', '{"a":"x\\"","b":[[[1]]]}', /nests deeper than 3 levels/],
    ['six items', '[1,2,3,4,5,6]', /more than 5 array items and object members/],
    ['six members', '{"a":1,"b":2,"c":3,"d":4,"e":5,"f":6}', /more than 5/],
  ])('refuses %s', (_name, text, message) => {
    expect(check(text)).toMatch(message);
  });

  it('stops at the first byte over the limit, whatever follows', () => {
    const hostile = Buffer.concat([Buffer.from('['.repeat(4)), Buffer.alloc(50_000_000, 0x5b)]);
    const started = performance.now();
    expect(jsonComplexityError(hostile, limits)).toMatch(/nests deeper/);
    expect(performance.now() - started).toBeLessThan(50);
  });
});

describe('OverlongStringScanner (issue 15 row 3): a top-level string certainly over its maxLength, from the raw bytes', () => {
  const limits = new Map([['prompt', 10]]);
  /** More than 12 bytes a character over a maxLength of 10: certainly too long. */
  const over = 'x'.repeat(121);
  it.each([
    { name: 'a prompt of 121 bytes', body: `{"prompt":"${over}"}`, found: 'prompt' },
    { name: 'a prompt of 120 bytes (might be 10 characters of \\uXXXX pairs)', body: `{"prompt":"${'x'.repeat(120)}"}`, found: undefined },
    { name: 'escapes counted as the bytes they take', body: `{"prompt":"${'\\n'.repeat(61)}"}`, found: 'prompt' },
    { name: 'an escaped quote does not end the string', body: `{"prompt":"\\"${over}"}`, found: 'prompt' },
    { name: 'a field with no limit', body: `{"model":"${over}","prompt":"short"}`, found: undefined },
    { name: 'a nested prompt is not the top-level one', body: `{"a":{"prompt":"${over}"}}`, found: undefined },
    { name: 'a prompt after a nested object', body: `{"a":{"b":[1,"x"]},"prompt":"${over}"}`, found: 'prompt' },
    { name: 'a key that only starts like the field', body: `{"prompts":"${over}"}`, found: undefined },
    { name: 'a string value that reads like the key', body: `{"a":"prompt","b":"${over}"}`, found: undefined },
  ])('$name', ({ body, found }) => {
    const whole = new OverlongStringScanner(limits).feed(Buffer.from(body));
    expect(whole?.field).toBe(found);
    // The same, one byte at a time: a body arrives in chunks cut anywhere.
    const scanner = new OverlongStringScanner(limits);
    let bytewise;
    for (const byte of Buffer.from(body)) bytewise ??= scanner.feed(Buffer.from([byte]));
    expect(bytewise?.field).toBe(found);
    if (found !== undefined) expect(whole?.maxLength).toBe(10);
  });
});

it('OverlongStringScanner stops at a shape jsonComplexityError refuses anyway, whatever follows', () => {
  const scanner = new OverlongStringScanner(new Map([['prompt', 10]]), { maxDepth: 64, maxItems: 3 });
  expect(scanner.feed(Buffer.from('{"a":1,"b":2,"c":3,'))).toBeUndefined();
  expect(scanner.done).toBe(true);
  expect(scanner.feed(Buffer.from(`"prompt":"${'x'.repeat(200)}"}`))).toBeUndefined();
});
