/**
 * Everything needed to poll a submitted job again, in this process or another: the vendor, the
 * base URL it was submitted to, its id, and for a vendor whose one submission is several jobs
 * (useapi.net's batch of four) their ids. Never the key: a handle may be stored in a database or a
 * log, and resuming it takes a client built with the key.
 */
export interface JobHandle {
  /** The vendor's slug, the one the mock mounts its API under (`lumen`, `useapi-luma`...). */
  vendor: string;
  /** The client's base URL; a client refuses a handle of another base URL, so a key never follows a handle elsewhere. */
  baseUrl: string;
  /** The job's id (the batch's `jobid` for useapi.net, the `request_id` for LumozAI). */
  id: string;
  /** The ids polled for a submission that is several jobs (useapi.net's four image jobs). Default: none. */
  parts?: readonly string[] | undefined;
}

const PREFIX = 'imagegen-job:';

/**
 * The handle as one short opaque string, `imagegen-job:<vendor>:<base64url>`, safe in a URL, a
 * database column or a log line (it holds no key).
 */
export function serializeJobHandle(handle: JobHandle): string {
  const fields: unknown[] = [handle.baseUrl, handle.id];
  if (handle.parts !== undefined && handle.parts.length > 0) fields.push(handle.parts);
  return `${PREFIX}${handle.vendor}:${Buffer.from(JSON.stringify(fields)).toString('base64url')}`;
}

/** Reads a string made by {@link serializeJobHandle}; a `TypeError` for anything else. */
export function parseJobHandle(text: string): JobHandle {
  const invalid = (why: string) => new TypeError(`Not a job handle (${why}): ${JSON.stringify(text.slice(0, 80))}`);
  if (typeof text !== 'string' || !text.startsWith(PREFIX)) throw invalid(`expected ${PREFIX}<vendor>:<data>`);
  const rest = text.slice(PREFIX.length);
  const colon = rest.indexOf(':');
  if (colon <= 0) throw invalid('no vendor');
  const vendor = rest.slice(0, colon);
  let fields: unknown;
  try {
    fields = JSON.parse(Buffer.from(rest.slice(colon + 1), 'base64url').toString('utf8'));
  } catch {
    throw invalid('its data is not base64url JSON');
  }
  if (!Array.isArray(fields) || typeof fields[0] !== 'string' || typeof fields[1] !== 'string' || fields[1] === '') {
    throw invalid('its data is not [baseUrl, id, parts?]');
  }
  const parts = fields[2];
  if (parts !== undefined && !(Array.isArray(parts) && parts.every((part) => typeof part === 'string' && part !== ''))) {
    throw invalid('its parts are not ids');
  }
  return { vendor, baseUrl: fields[0], id: fields[1], ...(parts === undefined ? {} : { parts: parts as string[] }) };
}

/**
 * The handle a client may poll: `handle` (object or string) after checking it is this vendor's and
 * was submitted to this client's base URL, so a stored handle cannot send the key to another host.
 */
export function ownJobHandle(handle: JobHandle | string, vendor: string, baseUrl: string): JobHandle {
  const parsed = typeof handle === 'string' ? parseJobHandle(handle) : handle;
  if (parsed.vendor !== vendor) {
    throw new TypeError(`This is a ${parsed.vendor} job handle; resume it with a ${parsed.vendor} client, not ${vendor}`);
  }
  if (normalizeBaseUrl(parsed.baseUrl) !== normalizeBaseUrl(baseUrl)) {
    throw new TypeError(
      `This job was submitted to ${parsed.baseUrl}, not to this client's ${baseUrl}; create a client with that baseUrl to resume it`,
    );
  }
  return parsed;
}

function normalizeBaseUrl(url: string): string {
  return url.replace(/\/+$/, '');
}
