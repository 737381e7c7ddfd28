import { describe, expect, it } from 'vitest';

import { pathSegment } from '../src/path-segment.js';

describe('pathSegment', () => {
  it.each(['a1b2c3', 'a b/c?d', '..x', '.hidden', '...'])('passes %j through (openapi-fetch encodes it)', (value) => {
    expect(pathSegment(value, 'task id')).toBe(value);
  });

  it.each(['', '.', '..'])('refuses %j, which would address another endpoint', (value) => {
    expect(() => pathSegment(value, 'Lumen task id')).toThrow(new TypeError(`Not a Lumen task id: ${JSON.stringify(value)}`));
  });
});
