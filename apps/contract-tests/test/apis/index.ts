// Every API's contract suite, found by slug rather than listed: the API the mock server mounts as
// `<slug>` has its suite in `test/apis/<slug>.ts` (the export whose `slug` is `<slug>`), in the
// registry's order. A mounted API without a suite fails the run here, naming the file to add.
import { API_SLUGS } from '@imagegen/mock-server';

import type { RegisteredSuite } from '../support/suite.js';

async function suiteOf(slug: string): Promise<RegisteredSuite> {
  let module: Record<string, unknown>;
  try {
    // Resolved at run time, beside this file; vite's import-glob analysis has nothing to add here.
    module = (await import(/* @vite-ignore */ `./${slug}.ts`)) as Record<string, unknown>;
  } catch (error) {
    throw new Error(`the mock server mounts ${slug} but it has no contract suite: add apps/contract-tests/test/apis/${slug}.ts`, { cause: error });
  }
  const suite = Object.values(module).find((value): value is RegisteredSuite => (value as RegisteredSuite | undefined)?.slug === slug);
  if (!suite) throw new Error(`apps/contract-tests/test/apis/${slug}.ts exports no suite for ${slug} (defineSuite({ slug: '${slug}', ... }))`);
  return suite;
}

export const SUITES: readonly RegisteredSuite[] = await Promise.all(API_SLUGS.map(suiteOf));
