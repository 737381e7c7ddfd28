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

function isJobTimestamp(digits: string): boolean {
  const parts = /^(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)\d{9}$/.exec(digits)?.slice(1).map(Number);
  if (!parts) return false;
  const [month = 0, day = 0, hour = 99, minute = 99, second = 99] = parts;
  return month >= 1 && month <= 12 && day >= 1 && day <= 31 && hour < 24 && minute < 60 && second < 60;
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
