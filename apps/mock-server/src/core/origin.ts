import type { Request } from 'express';

/**
 * The origin clients reach this server at, for absolute URLs in answers: `publicUrl` when one is
 * configured (a proxy or container port in front of the mock), else the local address the request
 * arrived on. Never the Host header: a client could make the mock echo any host back.
 */
export function originResolver(publicUrl: string | undefined): (req: Request) => string {
  if (publicUrl !== undefined) {
    const url = new URL(publicUrl);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`publicUrl must be an http(s) URL, got ${publicUrl}`);
    const origin = `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
    return () => origin;
  }
  return (req) => {
    const { localAddress, localPort } = req.socket;
    const address = (localAddress ?? '127.0.0.1').replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, '');
    return `http://${address.includes(':') ? `[${address}]` : address}:${localPort ?? 80}`;
  };
}
