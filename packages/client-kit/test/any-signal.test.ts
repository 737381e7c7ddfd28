import { describe, expect, it } from 'vitest';

import { anySignal } from '../src/any-signal.js';

describe('anySignal', () => {
  it('is undefined without signals', () => {
    expect(anySignal()).toBeUndefined();
    expect(anySignal(undefined, undefined)).toBeUndefined();
  });

  it('is the one signal given', () => {
    const { signal } = new AbortController();
    expect(anySignal(undefined, signal)).toBe(signal);
  });

  it.each([0, 1])('aborts with the reason of signal %i of two', (which) => {
    const controllers = [new AbortController(), new AbortController()];
    const combined = anySignal(controllers[0]?.signal, undefined, controllers[1]?.signal);
    const reason = new Error(`signal ${which}`);

    expect(combined?.aborted).toBe(false);
    controllers[which]?.abort(reason);

    expect(combined?.aborted).toBe(true);
    expect(combined?.reason).toBe(reason);
  });
});
