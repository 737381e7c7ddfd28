import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP } from 'node:net';

/**
 * Where the mock may send requests of its own (webhooks). A mock runs next to test receivers and
 * containers, so loopback and private networks are reachable by default; anything that could turn
 * it into a proxy into a cloud host's internals (link-local, metadata services) never is.
 */

/** Ranges a webhook may reach unless configured otherwise: loopback and private networks. */
export const DEFAULT_ALLOWED_RANGES: readonly string[] = [
  '127.0.0.0/8',
  '::1/128',
  '10.0.0.0/8',
  '172.16.0.0/12',
  '192.168.0.0/16',
  'fc00::/7',
];

/**
 * Ranges refused whatever the allowed list says: no test needs them, and reaching them from a
 * server is how request forgery reads cloud credentials.
 */
const ALWAYS_REFUSED: ReadonlyArray<readonly [cidr: string, what: string]> = [
  ['0.0.0.0/8', 'unspecified ("this network")'],
  ['::/128', 'unspecified'],
  ['169.254.0.0/16', 'link-local, where cloud metadata services answer (169.254.169.254)'],
  ['fe80::/10', 'link-local'],
  ['fd00:ec2::254/128', 'a cloud metadata service (AWS IPv6)'],
  ['100.100.100.200/32', 'a cloud metadata service (Alibaba)'],
  ['224.0.0.0/4', 'multicast'],
  ['ff00::/8', 'multicast'],
  ['255.255.255.255/32', 'broadcast'],
];

/** An address as bytes: 4 for IPv4, 16 for IPv6. */
type AddressBytes = Uint8Array;

interface Cidr {
  text: string;
  bytes: AddressBytes;
  prefix: number;
}

/** A resolved address, as `dns.lookup(..., { all: true })` gives it. */
export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Resolves a host name to every address it has. */
export type HostResolver = (hostname: string) => Promise<readonly ResolvedAddress[]>;

/** The system resolver (`/etc/hosts`, then DNS), in the order the system gives. */
export const systemResolver: HostResolver = async (hostname) =>
  (await dnsLookup(hostname, { all: true, verbatim: true })).map(({ address, family }) => ({ address, family: family === 6 ? 6 : 4 }));

/** Where a URL may be sent, or why not. */
export type TargetCheck = { ok: true; url: URL } | { ok: false; reason: string };

/**
 * The ranges never sent to, parsed on the first check: parsing an IPv6 address compiles node:net's
 * IPv6 pattern, about 4 ms CPU that a server's start-up need not pay before any webhook is sent.
 */
let alwaysRefused: Array<Cidr & { what: string }> | undefined;
const refusedRanges = () => (alwaysRefused ??= ALWAYS_REFUSED.map(([cidr, what]) => ({ ...parseCidr(cidr), what })));
let defaultAllowed: Cidr[] | undefined;

export class OutboundPolicy {
  readonly #ranges: readonly string[];
  #allowed: Cidr[] | undefined;

  /**
   * @param allowedRanges CIDRs a target address must fall in. IPv4-mapped IPv6 ranges
   *   (`::ffff:10.0.0.0/104`) mean their IPv4 range. Default: {@link DEFAULT_ALLOWED_RANGES}.
   *   Link-local, metadata, unspecified, multicast and broadcast addresses are refused even when
   *   listed (`0.0.0.0/0` and `::/0` allow every other address).
   */
  constructor(allowedRanges: readonly string[] = DEFAULT_ALLOWED_RANGES) {
    this.#ranges = allowedRanges;
    // Ranges given are parsed now, so a mistake in them fails here; the built-in ones on first use.
    if (allowedRanges !== DEFAULT_ALLOWED_RANGES) this.#allowed = allowedRanges.map(parseCidr);
  }

  get #allowedRanges(): Cidr[] {
    return (this.#allowed ??= this.#ranges === DEFAULT_ALLOWED_RANGES ? (defaultAllowed ??= DEFAULT_ALLOWED_RANGES.map(parseCidr)) : this.#ranges.map(parseCidr));
  }

  /** Checks what can be known without resolving: the URL's shape, its scheme, and an IP address given as the host. */
  checkUrl(target: string): TargetCheck {
    let url: URL;
    try {
      url = new URL(target);
    } catch {
      return { ok: false, reason: `${JSON.stringify(target)} is not an absolute URL` };
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      return { ok: false, reason: `${url.protocol} URLs are not delivered to; only http: and https: are` };
    }
    const host = hostOf(url);
    const reason = isIP(host) === 0 ? undefined : this.refusal(host);
    return reason === undefined ? { ok: true, url } : { ok: false, reason };
  }

  /** Why a request must not be sent to this IP address; undefined when it may. */
  refusal(address: string): string | undefined {
    const bytes = parseAddress(address);
    if (!bytes) return `${address} is not an IP address`;
    // Checked on the IPv4 address itself, so `::ffff:169.254.169.254` is refused like 169.254.169.254.
    const effective = unmapped(bytes);
    for (const candidate of [effective, ...embeddedNat64(effective)]) {
      const hit = refusedRanges().find((range) => contains(range, candidate));
      if (hit) return `${address} is ${hit.what} (${hit.text}); webhooks are never sent there`;
    }
    if (this.#allowedRanges.some((range) => contains(range, effective))) return undefined;
    return `${address} is outside the allowed ranges (${this.#allowedRanges.map((range) => range.text).join(', ') || 'none'})`;
  }

  /**
   * Resolves the URL's host once and checks every address it has: a name is refused if any of its
   * addresses is, so a resolver cannot mix an allowed address with a forbidden one. The caller
   * must connect to exactly these addresses, never resolve again.
   */
  async resolve(url: URL, resolver: HostResolver): Promise<{ ok: true; addresses: ResolvedAddress[] } | { ok: false; reason: string }> {
    const host = hostOf(url);
    const family = isIP(host);
    const addresses = family === 0 ? [...(await resolver(host))] : [{ address: host, family: family as 4 | 6 }];
    if (addresses.length === 0) return { ok: false, reason: `${host} has no address` };
    for (const { address } of addresses) {
      const reason = this.refusal(address);
      if (reason) return { ok: false, reason: family === 0 ? `${host} resolves to ${reason}` : reason };
    }
    return { ok: true, addresses };
  }
}

/** The URL's host without the brackets around an IPv6 address. */
function hostOf(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, '$1');
}

/** Parses `a.b.c.d/n` or `x:y::z/n`; a bare address is a single-address range. */
export function parseCidr(text: string): Cidr {
  const [address = '', prefixText, extra] = text.trim().split('/');
  const bytes = parseAddress(address);
  const bits = bytes ? bytes.length * 8 : 0;
  const prefix = prefixText === undefined ? bits : /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : NaN;
  if (!bytes || extra !== undefined || !(prefix >= 0 && prefix <= bits)) {
    throw new RangeError(`${JSON.stringify(text)} is not a CIDR range (e.g. 10.0.0.0/8 or fc00::/7)`);
  }
  if (bytes.length === 16 && prefix >= 96 && isMapped(bytes)) {
    return { text, bytes: unmapped(bytes), prefix: prefix - 96 };
  }
  return { text, bytes, prefix };
}

function contains(range: Cidr, address: AddressBytes): boolean {
  if (range.bytes.length !== address.length) return false;
  let bits = range.prefix;
  for (let index = 0; bits > 0; index++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if (((range.bytes[index] ?? 0) & mask) !== ((address[index] ?? 0) & mask)) return false;
  }
  return true;
}

/** `::ffff:a.b.c.d` as a.b.c.d; any other address unchanged. */
function unmapped(bytes: AddressBytes): AddressBytes {
  return bytes.length === 16 && isMapped(bytes) ? bytes.slice(12) : bytes;
}

function isMapped(bytes: AddressBytes): boolean {
  return bytes.slice(0, 10).every((byte) => byte === 0) && bytes[10] === 0xff && bytes[11] === 0xff;
}

/** The IPv4 address a NAT64 gateway (64:ff9b::/96) would translate this one to, if any. */
function embeddedNat64(bytes: AddressBytes): AddressBytes[] {
  const prefix = [0x00, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0];
  return bytes.length === 16 && prefix.every((byte, index) => bytes[index] === byte) ? [bytes.slice(12)] : [];
}

/** An IPv4 or IPv6 address (a `%zone` suffix is ignored) as bytes; undefined if it is neither. */
export function parseAddress(text: string): AddressBytes | undefined {
  const address = text.replace(/%.*$/, '');
  const family = isIP(address);
  if (family === 4) return Uint8Array.from(address.split('.').map(Number));
  if (family !== 6) return undefined;
  const [head = '', tail] = address.split('::');
  const groups = (part: string) => (part === '' ? [] : part.split(':')).flatMap(toWords);
  const before = groups(head);
  const after = tail === undefined ? [] : groups(tail);
  const words = [...before, ...Array<number>(8 - before.length - after.length).fill(0), ...after];
  return Uint8Array.from(words.flatMap((word) => [word >> 8, word & 0xff]));
}

function toWords(group: string): number[] {
  if (!group.includes('.')) return [parseInt(group, 16)];
  const [a = 0, b = 0, c = 0, d = 0] = group.split('.').map(Number);
  return [(a << 8) | b, (c << 8) | d];
}
