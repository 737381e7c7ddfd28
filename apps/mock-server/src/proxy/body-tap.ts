import type { IncomingMessage } from 'node:http';

import { ProblemError } from '../core/problems.js';

/** The raw bytes of a request body, copied as they arrive while the pipeline's own parsers read the same stream. */
export interface BodyTap {
  /**
   * The whole body as the caller sent it (still content-encoded, if it was): what is forwarded.
   * Resumes a stream a parser paused or never read. Rejects past the limit, or when the caller goes away.
   */
  whole(): Promise<Buffer>;
}

/**
 * Taps `req` from now on. Attach it in the same turn as the parsers that read the stream (the body
 * stage), so no chunk flows before they listen: the parsers see every byte, and so does the tap.
 * At most `limitBytes` are kept: the body is held once, as the bytes to forward.
 */
export function tapBody(req: IncomingMessage, limitBytes: number): BodyTap {
  const chunks: Buffer[] = [];
  let size = 0;
  let settle: { resolve(body: Buffer): void; reject(error: unknown): void } | undefined;
  const whole = new Promise<Buffer>((resolve, reject) => (settle = { resolve, reject }));
  // Nobody may ask (a simulated answer was sent instead): not an unhandled rejection.
  whole.catch(() => undefined);
  const onData = (chunk: Buffer) => {
    size += chunk.length;
    if (size <= limitBytes) return void chunks.push(chunk);
    chunks.length = 0;
    cleanup();
    settle!.reject(new ProblemError({ kind: 'validation', message: `Request body larger than the proxy's body limit of ${limitBytes} bytes`, fields: { body: ['too large'] }, tooLarge: true }));
    // The rest is read and dropped, so the refusal can still be answered on this connection.
    req.resume();
  };
  const onEnd = () => {
    cleanup();
    settle!.resolve(Buffer.concat(chunks));
  };
  const onClose = () => {
    cleanup();
    settle!.reject(new Error('the caller went away before its body arrived'));
  };
  const cleanup = () => {
    req.off('data', onData);
    req.off('end', onEnd);
    req.off('close', onClose);
  };
  if (req.readableEnded) onEnd();
  else {
    req.on('data', onData);
    req.once('end', onEnd);
    req.once('close', onClose);
  }
  return {
    whole() {
      if (!req.readableEnded) req.resume();
      return whole;
    },
  };
}
