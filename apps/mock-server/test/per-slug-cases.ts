// Table rows that live with each API's other tests, in `test/apis/<slug>/<name>.ts` (a default
// export), found by slug rather than listed in a shared table: a new API adds its own file, and the
// table's coverage test names the file it lacks.
import { existsSync, readdirSync } from 'node:fs';

/** The file `slug` keeps its `name` case in, relative to the repository. */
export const caseFile = (slug: string, name: string) => `apps/mock-server/test/apis/${slug}/${name}.ts`;

export interface PerSlugCases<T, S extends string> {
  /** The cases found, in the order of `slugs`. */
  cases: Array<T & { slug: S }>;
  /** The files `slugs` lack. */
  missing: string[];
  /** Case files of folders that are not among `slugs`. */
  extra: string[];
}

/** The `name` cases of `slugs` (each `test/apis/<slug>/<name>.ts`), and the files missing or extra. */
export async function perSlugCases<T, S extends string>(name: string, slugs: readonly S[]): Promise<PerSlugCases<T, S>> {
  const folders = readdirSync(new URL('./apis/', import.meta.url), { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(new URL(`./apis/${entry.name}/${name}.ts`, import.meta.url)))
    .map((entry) => entry.name);
  const cases: Array<T & { slug: S }> = [];
  for (const slug of slugs.filter((candidate) => folders.includes(candidate))) {
    // Resolved at run time, beside this file, like the contract suites are.
    const { default: found } = (await import(/* @vite-ignore */ `./apis/${slug}/${name}.ts`)) as { default: T };
    cases.push({ ...found, slug });
  }
  return {
    cases,
    missing: slugs.filter((slug) => !folders.includes(slug)).map((slug) => caseFile(slug, name)),
    extra: folders.filter((folder) => !(slugs as readonly string[]).includes(folder)).map((folder) => caseFile(folder, name)),
  };
}
