// Job views show their times as ISO 8601 text, and a client polling a job reads the same few times
// over and over: `Date#toISOString` is a C++ call and a new Date each time (a sixth of useapi.net's
// poll, which shows five times), against one map lookup here.

/** Times remembered; past that the map starts over (under 100 KB). */
const KEPT = 1024;
const texts = new Map<number, string>();

/** `ms` (epoch milliseconds) as `new Date(ms).toISOString()` writes it. */
export function isoTime(ms: number): string {
  let text = texts.get(ms);
  if (text === undefined) {
    text = new Date(ms).toISOString();
    if (texts.size >= KEPT) texts.clear();
    texts.set(ms, text);
  }
  return text;
}
