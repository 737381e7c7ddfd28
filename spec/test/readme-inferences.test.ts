import { readFileSync } from 'node:fs';

import { describe, expect, it } from 'vitest';

import { END, README, START, countsTable, withTable } from '../readme-inferences.mjs';

describe("the README's inference counts", () => {
  it('are the specs\' own figures (run `pnpm --filter @imagegen/spec readme` after changing a spec)', () => {
    const readme = readFileSync(README, 'utf8');
    expect(withTable(readme, countsTable())).toBe(readme);
  });

  it('replace only what lies between the markers', () => {
    expect(withTable(`a\n${START}\nold\n${END}\nb`, 'new')).toBe(`a\n${START}\nnew\n${END}\nb`);
    expect(() => withTable('no markers', 'new')).toThrow(/lacks the markers/);
  });
});
