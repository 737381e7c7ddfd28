/**
 * A signal that aborts when any of `signals` does, with that signal's reason; `undefined` when none
 * is given. Lets a step honour both a call-wide signal and a step-specific one without dropping either.
 */
export function anySignal(...signals: (AbortSignal | undefined)[]): AbortSignal | undefined {
  const present = signals.filter((signal): signal is AbortSignal => signal !== undefined);
  return present.length > 1 ? AbortSignal.any(present) : present[0];
}
