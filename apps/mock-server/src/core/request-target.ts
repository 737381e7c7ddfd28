import type { RequestHandler } from 'express';

/**
 * Serves an absolute-form request target (`GET http://host:4010/lumixai/... HTTP/1.1`, as sent
 * through a forward proxy) like its origin form (`GET /lumixai/...`): RFC 9112 3.2.2 has servers
 * accept both. The path is taken as sent, without normalizing it.
 */
export function originFormTargets(): RequestHandler {
  return (req, _res, next) => {
    const absolute = /^[a-z][a-z\d+.-]*:\/\/[^/?#]*/i.exec(req.url);
    if (absolute) {
      const rest = req.url.slice(absolute[0].length);
      req.url = rest.startsWith('/') ? rest : `/${rest}`;
      req.originalUrl = req.url;
    }
    next();
  };
}
