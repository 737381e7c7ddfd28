import { describe, expect, it } from 'vitest';

import { DEFAULT_ALLOWED_RANGES, OutboundPolicy, parseAddress, parseCidr } from '../src/core/outbound-address.js';

const byDefault = new OutboundPolicy();
const everything = new OutboundPolicy(['0.0.0.0/0', '::/0']);

describe('OutboundPolicy.refusal with the default ranges', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback /8'],
    ['::1', 'IPv6 loopback'],
    ['10.1.2.3', '10/8'],
    ['172.16.0.1', 'first of 172.16/12'],
    ['172.31.255.255', 'last of 172.16/12'],
    ['192.168.99.1', '192.168/16'],
    ['fc00::1', 'unique local fc00::/7'],
    ['fdab:cdef::2', 'unique local fd..'],
    ['::ffff:127.0.0.1', 'loopback, IPv4-mapped'],
    ['::ffff:a00:1', 'private 10.0.0.1, IPv4-mapped in hex'],
  ])('allows %s (%s)', (address) => {
    expect(byDefault.refusal(address)).toBeUndefined();
  });

  it.each([
    ['169.254.169.254', /link-local, where cloud metadata services answer/],
    ['169.254.0.1', /link-local/],
    ['fe80::1', /link-local \(fe80::\/10\)/],
    ['fe80::1%eth0', /link-local/],
    ['0.0.0.0', /unspecified/],
    ['0.1.2.3', /unspecified/],
    ['::', /unspecified \(::\/128\)/],
    ['fd00:ec2::254', /cloud metadata service \(AWS IPv6\)/],
    ['224.0.0.1', /multicast/],
    ['255.255.255.255', /broadcast/],
    ['::ffff:169.254.169.254', /link-local/],
    ['::ffff:a9fe:a9fe', /link-local/],
    ['0:0:0:0:0:ffff:0:0', /unspecified/],
    ['64:ff9b::a9fe:a9fe', /link-local/],
    ['8.8.8.8', /outside the allowed ranges \(127\.0\.0\.0\/8, ::1\/128/],
    ['172.15.255.255', /outside the allowed ranges/],
    ['172.32.0.0', /outside the allowed ranges/],
    ['100.64.0.1', /outside the allowed ranges/],
    ['2001:4860:4860::8888', /outside the allowed ranges/],
    ['fe00::1', /outside the allowed ranges/],
    ['::ffff:8.8.8.8', /outside the allowed ranges/],
    ['::127.0.0.1', /outside the allowed ranges/],
    ['localhost', /is not an IP address/],
  ])('refuses %s', (address, reason) => {
    expect(byDefault.refusal(address)).toMatch(reason);
  });
});

describe('OutboundPolicy with configured ranges', () => {
  it.each([
    [['0.0.0.0/0', '::/0'], '8.8.8.8', undefined],
    [['0.0.0.0/0', '::/0'], '2001:db8::1', undefined],
    [['0.0.0.0/0', '::/0'], '169.254.169.254', /link-local/],
    [['0.0.0.0/0', '::/0'], '::ffff:169.254.169.254', /link-local/],
    [['0.0.0.0/0', '::/0'], 'fe80::1', /link-local/],
    [['0.0.0.0/0', '::/0'], '0.0.0.0', /unspecified/],
    [['169.254.0.0/16'], '169.254.169.254', /link-local/],
    [['10.0.0.0/8'], '127.0.0.1', /outside the allowed ranges \(10\.0\.0\.0\/8\)/],
    [['10.0.0.0/8'], '10.200.0.1', undefined],
    [['::ffff:10.0.0.0/104'], '10.200.0.1', undefined],
    [['::ffff:10.0.0.0/104'], '::ffff:10.200.0.1', undefined],
    [['::ffff:10.0.0.0/104'], '11.0.0.1', /outside/],
    [['203.0.113.7'], '203.0.113.7', undefined],
    [['203.0.113.7'], '203.0.113.8', /outside/],
    [[], '127.0.0.1', /outside the allowed ranges \(none\)/],
  ])('with %j: %s', (ranges, address, expected) => {
    const policy = new OutboundPolicy(ranges);
    if (expected === undefined) expect(policy.refusal(address)).toBeUndefined();
    else expect(policy.refusal(address)).toMatch(expected);
  });

  it.each(['10.0.0.0/33', '::1/129', 'example.com/8', '10.0.0.0/8/1', '10.0.0.0/x', '', '10.0.0/8'])('refuses the range %j', (range) => {
    expect(() => new OutboundPolicy([range])).toThrow(/is not a CIDR range/);
  });

  it('lets every other address through with 0.0.0.0/0 and ::/0', () => {
    expect(everything.refusal('93.184.216.34')).toBeUndefined();
    expect(DEFAULT_ALLOWED_RANGES.map((range) => everything.refusal(range.split('/')[0] as string))).toEqual(
      DEFAULT_ALLOWED_RANGES.map(() => undefined),
    );
  });
});

describe('OutboundPolicy.checkUrl', () => {
  it.each([
    ['ftp://127.0.0.1/hook', /ftp: URLs are not delivered to/],
    ['file:///etc/passwd', /file: URLs/],
    ['javascript:alert(1)', /javascript: URLs/],
    ['/relative/hook', /is not an absolute URL/],
    ['http://', /is not an absolute URL/],
  ])('refuses %s', (url, reason) => {
    expect(byDefault.checkUrl(url)).toEqual({ ok: false, reason: expect.stringMatching(reason) });
  });

  it.each(['http://127.0.0.1:9/x', 'https://example.com/hook'])('accepts %s', (url) => {
    expect(byDefault.checkUrl(url)).toMatchObject({ ok: true });
  });
});

describe('OutboundPolicy.resolve', () => {
  const resolver = async (host: string) =>
    ({
      'one.test': [{ address: '127.0.0.1', family: 4 as const }],
      'both.test': [
        { address: '::1', family: 6 as const },
        { address: '127.0.0.1', family: 4 as const },
      ],
      'mixed.test': [
        { address: '127.0.0.1', family: 4 as const },
        { address: '169.254.169.254', family: 4 as const },
      ],
      'none.test': [],
    })[host] ?? [];

  it.each([
    ['http://one.test/', { ok: true, addresses: [{ address: '127.0.0.1', family: 4 }] }],
    ['http://both.test/', { ok: true, addresses: [{ address: '::1', family: 6 }, { address: '127.0.0.1', family: 4 }] }],
    ['http://[::1]:8080/', { ok: true, addresses: [{ address: '::1', family: 6 }] }],
    ['http://2130706433/', { ok: true, addresses: [{ address: '127.0.0.1', family: 4 }] }],
    ['http://mixed.test/', { ok: false, reason: expect.stringMatching(/^mixed\.test resolves to 169\.254\.169\.254 is link-local/) }],
    ['http://none.test/', { ok: false, reason: 'none.test has no address' }],
    ['http://0xa9.0xfe.0xa9.0xfe/', { ok: false, reason: expect.stringMatching(/^169\.254\.169\.254 is link-local/) }],
  ])('%s', async (url, expected) => {
    expect(await byDefault.resolve(new URL(url), resolver)).toEqual(expected);
  });
});

describe('parseAddress and parseCidr', () => {
  it.each([
    ['1.2.3.4', [1, 2, 3, 4]],
    ['::', Array(16).fill(0)],
    ['::1', [...Array(15).fill(0), 1]],
    ['1::', [0, 1, ...Array(14).fill(0)]],
    ['::ffff:1.2.3.4', [...Array(10).fill(0), 0xff, 0xff, 1, 2, 3, 4]],
    ['2001:db8::ff00:42:8329', [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0xff, 0, 0, 0x42, 0x83, 0x29]],
  ])('%s', (text, bytes) => {
    expect([...(parseAddress(text) ?? [])]).toEqual(bytes);
  });

  it.each(['1.2.3', '1.2.3.256', 'gggg::', 'example.com', '1:2:3:4:5:6:7:8:9'])('%s is no address', (text) => {
    expect(parseAddress(text)).toBeUndefined();
  });

  it('reads an IPv4-mapped range as its IPv4 range', () => {
    expect(parseCidr('::ffff:192.168.0.0/112')).toEqual({ text: '::ffff:192.168.0.0/112', bytes: Uint8Array.from([192, 168, 0, 0]), prefix: 16 });
  });
});
