// GET /_mock/inferences: what each mounted API's spec marks x-inferred, so a user knows which of
// the mock's behaviours to confirm against the real service. Counted here from the YAML text, not
// through the walker the route uses.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

import { describe, expect, it } from 'vitest';

import { startMock } from './harness.js';

const specText = (slug: string) => readFileSync(createRequire(import.meta.url).resolve(`@imagegen/spec/${slug}/openapi.yaml`), 'utf8');
const markedIn = (slug: string) => specText(slug).match(/^\s*x-inferred: true$/gm)?.length ?? 0;

interface Report {
  title: string;
  count: number;
  inferences: Array<{ pointer: string; where: string; reason: string }>;
}

describe('GET /_mock/inferences', () => {
  it('reports every mounted API, one entry per x-inferred node of its spec, each with where and why', async () => {
    const h = await startMock();
    const response = await fetch(`${h.running.url}/_mock/inferences`);
    expect(response.status).toBe(200);
    const { apis } = (await response.json()) as { apis: Record<string, Report> };
    expect(Object.keys(apis).sort()).toEqual(h.mock.apis.map((api) => api.slug).sort());
    for (const [slug, report] of Object.entries(apis)) {
      expect(report.count, slug).toBe(markedIn(slug));
      expect(report.inferences, slug).toHaveLength(report.count);
      for (const inference of report.inferences) {
        expect(inference.pointer).toMatch(/^#\//);
        expect(inference.where.length).toBeGreaterThan(3);
        expect(inference.reason.length, inference.pointer).toBeGreaterThanOrEqual(20);
      }
    }
    expect(apis.lumixai!.inferences.map((inference) => inference.where)).toContain('schema AspectRatio');
  });

  it('answers one API at /_mock/inferences/<slug>, and 404 naming the mounted ones otherwise', async () => {
    const h = await startMock({ apis: { lumen: false } });
    const one = (await (await fetch(`${h.running.url}/_mock/inferences/luma-agents`)).json()) as Report;
    expect(one.count).toBe(markedIn('luma-agents'));
    expect(one.title).toBe('Luma Agents Generations API');
    const missing = await fetch(`${h.running.url}/_mock/inferences/lumen`);
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: string }).error).toMatch(/mounted: .*lumixai/);
  });
});
