import type { Writable } from 'node:stream';

/**
 * Collects log lines and writes them once per event-loop turn: under load one write per request
 * costs more than the request's own work, while a person watching the log sees no difference.
 */
export function batchedLineWriter(stream: Writable): (line: string) => void {
  let pending: string[] = [];
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    const text = pending.join('\n');
    pending = [];
    stream.write(`${text}\n`);
  };
  return (line) => {
    pending.push(line);
    if (!scheduled) {
      scheduled = true;
      setImmediate(flush);
    }
  };
}
