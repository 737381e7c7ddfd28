// No rule without a source: every rule of a spec that refuses values (or answers) is either stated by
// the vendor's page (listed in <slug>/documented.yaml with the page's own words) or marked
// `x-inferred` with its reason. A rule added without either fails here.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

import { RULE_KINDS, inferences, strictRules } from '../inferences.mjs';
import type { RuleKind } from '../inferences.mjs';

const specDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const slugs = readdirSync(specDir, { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && existsSync(join(specDir, entry.name, 'openapi.yaml')))
  .map((entry) => entry.name);

interface Fact {
  quote: string;
  rules: Record<string, RuleKind[]>;
}

const squash = (text: string) => text.replace(/\s+/g, ' ').trim();
/** A pointer pattern: `*` stands for any text within one segment. */
const patternOf = (pointer: string) => new RegExp(`^${pointer.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*')}$`);

describe.each(slugs)('spec/%s/openapi.yaml', (slug) => {
  const doc: unknown = parse(readFileSync(join(specDir, slug, 'openapi.yaml'), 'utf8'));
  const facts = (parse(readFileSync(join(specDir, slug, 'documented.yaml'), 'utf8')) ?? []) as Fact[];
  const page = squash(readdirSync(join(specDir, slug, 'source')).map((file) => readFileSync(join(specDir, slug, 'source', file), 'utf8')).join('\n'));
  const rules = strictRules(doc);
  const stated = facts.flatMap((fact) => Object.entries(fact.rules).map(([pointer, kinds]) => ({ pattern: patternOf(pointer), pointer, kinds, quote: fact.quote })));

  it('states no rule the page does not, unless it is marked x-inferred', () => {
    const unsourced = rules
      .filter((rule) => rule.inferredAt === undefined)
      .filter((rule) => !stated.some((fact) => fact.kinds.includes(rule.kind) && fact.pattern.test(rule.pointer)))
      .map((rule) => `${rule.pointer} ${rule.kind}`);
    expect(unsourced).toEqual([]);
  });

  it('quotes the page word for word in every documented fact', () => {
    const misquoted = facts.filter((fact) => !page.includes(squash(fact.quote))).map((fact) => fact.quote);
    expect(misquoted).toEqual([]);
  });

  it('lists no documented fact that matches no rule of the spec (a stale or mistyped entry)', () => {
    const stale = stated.flatMap((fact) =>
      fact.kinds
        .filter((kind) => !RULE_KINDS.includes(kind) || !rules.some((rule) => rule.kind === kind && fact.pattern.test(rule.pointer)))
        .map((kind) => `${fact.pointer} ${kind}`),
    );
    expect(stale).toEqual([]);
  });

  it('marks at least one inference and counts them for the report', () => {
    expect(inferences(doc).length).toBeGreaterThan(0);
  });
});
