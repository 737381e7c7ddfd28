// The vendors as the tests drive them, one file per slug (test/vendors/<slug>.ts): how to build each
// client against the mock, what one submission creates there, and how the mock makes each taxonomy
// kind the vendor can produce. Found by slug for every API the mock serves, not listed here.
import type { ApiSlug } from '@imagegen/mock-server';
import { API_SLUGS } from '@imagegen/mock-server';

import type { Vendor } from './vendor.js';

export type { AnyJobs, KindCase, Vendor } from './vendor.js';

async function vendorOf(slug: ApiSlug): Promise<Vendor> {
  let module: { vendor?: Vendor };
  try {
    // Resolved at run time, beside this file; vite's import-glob analysis has nothing to add here.
    module = (await import(/* @vite-ignore */ `./vendors/${slug}.ts`)) as { vendor?: Vendor };
  } catch (error) {
    throw new Error(`the mock serves ${slug} but the AI SDK's tests do not drive it: add packages/ai-sdk/test/vendors/${slug}.ts`, { cause: error });
  }
  if (module.vendor?.slug !== slug) throw new Error(`packages/ai-sdk/test/vendors/${slug}.ts must export \`vendor\` with slug '${slug}'`);
  return module.vendor;
}

/** Every API the mock serves, in its registry's order. */
export const VENDORS: readonly Vendor[] = await Promise.all(API_SLUGS.map(vendorOf));

/** `Prefer` values joined as RFC 7240 allows: one header, comma-separated. */
export function prefer(...values: (string | undefined)[]): Record<string, string> {
  const present = values.filter((value): value is string => value !== undefined);
  return present.length === 0 ? {} : { Prefer: present.join(', ') };
}
