import { readFileSync } from 'node:fs';

/**
 * The Node versions this package runs on: its package.json `engines.node`, read rather than
 * copied, so npm's install-time warning and this start-up check never disagree.
 */
export const SUPPORTED_NODE: string = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { engines: { node: string } }).engines.node;

type Version = [number, number, number];

function parseVersion(text: string): Version | undefined {
  const match = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?/.exec(text.trim());
  return match ? [Number(match[1]), Number(match[2] ?? 0), Number(match[3] ?? 0)] : undefined;
}

function compare(a: Version, b: Version): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}

/** One comparator of a range (`^20.19.0`, `>=22.12.0`, `<23`, `20.19.1`). */
function satisfiesComparator(version: Version, comparator: string): boolean {
  const match = /^(\^|>=|<=|>|<|=)?\s*(.+)$/.exec(comparator);
  const bound = match && parseVersion(match[2]!);
  if (!bound) throw new Error(`Unsupported engines.node comparator: ${comparator}`);
  const order = compare(version, bound);
  switch (match![1]) {
    case '^':
      return order >= 0 && version[0] === bound[0];
    case '>=':
      return order >= 0;
    case '>':
      return order > 0;
    case '<=':
      return order <= 0;
    case '<':
      return order < 0;
    default:
      return order === 0;
  }
}

/** Whether `version` is in `range`: the `||`-separated sets of space-separated comparators engines fields use. */
export function satisfiesNodeRange(version: string, range: string): boolean {
  const parsed = parseVersion(version);
  if (!parsed) return false;
  return range.split('||').some((set) => set.trim().split(/\s+/).every((comparator) => satisfiesComparator(parsed, comparator)));
}

/**
 * Undefined on a supported Node; otherwise one line saying which Node is needed. On an older
 * one the mock would die deep inside (`node:zlib` has no `crc32` before 20.15), far from the cause.
 */
export function unsupportedNodeMessage(version: string = process.versions.node, range: string = SUPPORTED_NODE): string | undefined {
  if (satisfiesNodeRange(version, range)) return undefined;
  return `@imagegen/mock-server needs Node ${range}; this is Node ${version}. Install a newer Node (e.g. \`nvm install 22\`) and run it again.`;
}
