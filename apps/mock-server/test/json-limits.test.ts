// The pre-parse check of JSON bodies (issue 6 row 5): counts structure, never what strings hold.
import { describe, expect, it } from 'vitest';

import { jsonComplexityError } from '../src/core/json-limits.js';

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
