// The request builders the registry-wide tests share: a shortcut that builds a body must send the
// bytes the plain way would have sent.
import { describe, expect, it } from 'vitest';

import { encodeBody, encodeBodyWithLongField } from './spec-requests.js';

/** The body with its multipart boundary (random per encoding) replaced by a fixed one. */
function normalized({ body, contentType }: { body: Buffer; contentType: string }): string {
  const boundary = /boundary=(.+)$/.exec(contentType)?.[1];
  return boundary === undefined ? body.toString('latin1') : body.toString('latin1').replaceAll(boundary, 'BOUNDARY');
}

describe('encodeBodyWithLongField', () => {
  const example = { model: 'm', prompt: 'a cat', n: 2, tags: ['a', 'b'], nested: { x: 'é' } };
  it.each(['application/json', 'application/x-www-form-urlencoded', 'multipart/form-data'])('%s: the same bytes as encoding the long value', async (mediaType) => {
    for (const [field, length] of [['prompt', 70_000], ['negative_prompt', 1], ['model', 0]] as const) {
      const plain = await encodeBody(mediaType, { ...example, [field]: 'x'.repeat(length) });
      const quick = await encodeBodyWithLongField(mediaType, example, field, length);
      expect(quick.contentType.replace(/boundary=.+$/, '')).toBe(plain.contentType.replace(/boundary=.+$/, ''));
      expect(normalized(quick)).toBe(normalized(plain));
    }
  });
});
