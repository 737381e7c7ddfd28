import { boundedMemo } from './bounded-memo.js';

/**
 * `ms` (epoch milliseconds) as `new Date(ms).toISOString()` writes it. Job views show their times as
 * ISO 8601 text and a client polling a job reads the same few times over and over: `toISOString` is
 * a C++ call and a new Date each time (a sixth of useapi.net's poll, which shows five times),
 * against one map lookup here. 1024 times kept (under 100 KB).
 */
export const isoTime: (ms: number) => string = boundedMemo((ms: number) => new Date(ms).toISOString(), 1024);
