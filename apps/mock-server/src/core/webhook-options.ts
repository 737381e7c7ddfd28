import { rootCertificates } from 'node:tls';
import { X509Certificate } from 'node:crypto';

import type { HostResolver } from './outbound-address.js';
import { systemResolver } from './outbound-address.js';
import type { WebhookDispatcherOptions } from './webhook-types.js';

// The dispatcher's options checked once, with their defaults, so a mistake fails at start-up with
// the option's name rather than as a delivery that never works.

/** Every numeric option with its default applied and its range checked. */
export interface DispatcherSettings {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  jitter: number;
  random: () => number;
  attemptTimeoutMs: number;
  maxResponseBytes: number;
  resolver: HostResolver;
  maxKept: number;
  maxAgeMs: number;
  maxPending: number;
  /** Node's roots plus `options.ca`; undefined keeps Node's default store. */
  ca: Array<string | Buffer> | undefined;
  onViolation: WebhookDispatcherOptions['onViolation'];
  onSettled: WebhookDispatcherOptions['onSettled'];
}

/** The options with their documented defaults; a RangeError or TypeError naming the option otherwise. */
export function dispatcherSettings(options: WebhookDispatcherOptions): DispatcherSettings {
  return {
    maxAttempts: checked('maxAttempts', options.maxAttempts ?? 5, 1, 20, true),
    baseDelayMs: checked('baseDelayMs', options.baseDelayMs ?? 1000, 0, 24 * 3600_000),
    maxDelayMs: checked('maxDelayMs', options.maxDelayMs ?? 60_000, options.baseDelayMs ?? 1000, 24 * 3600_000),
    jitter: checked('jitter', options.jitter ?? 0.5, 0, 1),
    random: options.random ?? Math.random,
    attemptTimeoutMs: checked('attemptTimeoutMs', options.attemptTimeoutMs ?? 10_000, 1, 3600_000),
    maxResponseBytes: checked('maxResponseBytes', options.maxResponseBytes ?? 16_384, 0, 16 * 1024 * 1024, true),
    resolver: options.resolver ?? systemResolver,
    maxKept: checked('maxKept', options.maxKept ?? 1000, 0, 1_000_000, true),
    maxAgeMs: checked('maxAgeMs', options.maxAgeMs ?? 3600_000, 0, Number.MAX_SAFE_INTEGER),
    maxPending: checked('maxPending', options.maxPending ?? 1000, 1, 1_000_000, true),
    // Node's `ca` option replaces the bundled roots, so they are passed along with the extra ones.
    ca:
      options.ca === undefined
        ? undefined
        : [...rootCertificates, ...[options.ca].flat().map((pem, i) => checkedCertificates(pem, Array.isArray(options.ca) ? `webhooks.ca[${i}]` : 'webhooks.ca'))],
    onViolation: options.onViolation,
    onSettled: options.onSettled,
  };
}

function checked(name: string, value: number, min: number, max: number, integer = false): number {
  if (!(value >= min && value <= max) || (integer && !Number.isInteger(value))) {
    throw new RangeError(`webhooks.${name} must be ${integer ? 'an integer' : 'a number'} from ${min} to ${max}, got ${value}`);
  }
  return value;
}

/**
 * PEM text holding at least one certificate, each of which parses: Node would otherwise take any
 * text as `ca` and every https delivery would then fail its TLS check, far from the mistake.
 */
function checkedCertificates(pem: string | Buffer, where: string): string | Buffer {
  const text = pem.toString();
  const blocks = text.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) throw new TypeError(`${where} must be PEM certificates (-----BEGIN CERTIFICATE----- ...), got ${JSON.stringify(text.slice(0, 40))}`);
  for (const [i, block] of blocks.entries()) {
    try {
      new X509Certificate(block);
    } catch (error) {
      throw new TypeError(`${where}: certificate ${i + 1} does not parse: ${(error as Error).message}`);
    }
  }
  return pem;
}
