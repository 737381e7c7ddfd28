// The documented identifier formats: job ids `j<timestamp>i-u<user>-email:<email>:<uuid>-bot:luma`
// and assetRefs `u<user>-email:<email>:<uuid>` (the Upload Assets page also writes `-image:<uuid>`).

const UUID = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';
const JOB_ID = new RegExp(`^j(\\d+)i-u(\\d+)-email:(.+):(${UUID})-bot:luma$`);
const ASSET_REF = new RegExp(`^u(\\d+)-email:(.+?)(?::|-image:)(${UUID})$`);

export interface ParsedJobId {
  user: number;
  email: string;
  uuid: string;
}

export interface ParsedAssetRef {
  user: number;
  email: string;
  uuid: string;
}

/**
 * The timestamp part of a batch's ids: `MMDDHHmmssSSS` in UTC plus six digits that tell batches of
 * the same millisecond apart, as in the page's `j0326140530123456789i...` (March 26, 14:05:30.123).
 */
export function jobTimestamp(epochMs: number, sequence: number): string {
  const date = new Date(epochMs);
  const two = (n: number) => String(n).padStart(2, '0');
  return [
    two(date.getUTCMonth() + 1),
    two(date.getUTCDate()),
    two(date.getUTCHours()),
    two(date.getUTCMinutes()),
    two(date.getUTCSeconds()),
    String(date.getUTCMilliseconds()).padStart(3, '0'),
    String(sequence % 1_000_000).padStart(6, '0'),
  ].join('');
}

export function formatJobId(timestamp: string, user: number, email: string, uuid: string): string {
  return `j${timestamp}i-u${user}-email:${email}:${uuid}-bot:luma`;
}

/**
 * The parts of a job id, or undefined when it is not one: the documented shape, with a timestamp
 * that is a real `MMDDHHmmssSSS` followed by six digits (the spec's pattern only says digits).
 */
export function parseJobId(jobid: string): ParsedJobId | undefined {
  const match = JOB_ID.exec(jobid);
  if (!match || !isJobTimestamp(match[1]!)) return undefined;
  return { user: Number(match[2]), email: match[3]!, uuid: match[4]!.toLowerCase() };
}

/** `MMDDHHmmss` and nine more digits, read from `digits` (JOB_ID matched them as digits): every poll reads one. */
function isJobTimestamp(digits: string): boolean {
  if (digits.length !== 19) return false;
  const two = (at: number) => (digits.charCodeAt(at) - 48) * 10 + (digits.charCodeAt(at + 1) - 48);
  const month = two(0);
  const day = two(2);
  return month >= 1 && month <= 12 && day >= 1 && day <= 31 && two(4) < 24 && two(6) < 60 && two(8) < 60;
}

export function formatAssetRef(user: number, email: string, uuid: string): string {
  return `u${user}-email:${email}:${uuid}`;
}

export function parseAssetRef(assetRef: string): ParsedAssetRef | undefined {
  const match = ASSET_REF.exec(assetRef);
  if (!match) return undefined;
  return { user: Number(match[1]), email: match[2]!, uuid: match[3]!.toLowerCase() };
}

/**
 * A stable user number for a workspace without a configured one: five digits from its name, so
 * job ids stay the same across restarts.
 */
export function userNumberOf(workspace: string): number {
  let hash = 0x811c9dc5;
  for (const char of workspace) {
    hash ^= char.codePointAt(0)!;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return 10_000 + (hash % 90_000);
}
