// The API page the mock serves at /docs/<slug> lists the mock's own base URL for that API first,
// so the URL a reader copies works; the standalone build on disk keeps the vendor's servers.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { findChromium, missingChromiumMessage } from '../../../scripts/ensure-chromium.mjs';
import { withServerFirst } from '../src/docs-routes.js';
import { API_SLUGS, listOperations, loadSpec } from '../src/index.js';
import { startMock } from './harness.js';

const docsDir = dirname(createRequire(import.meta.url).resolve('@imagegen/docs/dist/manifest.json'));
const MARKER = 'const __redoc_definition = ';

/** The spec a Redoc page carries, as the page's script will read it. */
function definitionIn(html: string): { servers?: Array<{ url: string; description?: string }>; info: { title: string } } {
  const from = html.indexOf(MARKER) + MARKER.length;
  expect(from, 'the page carries a Redoc definition').toBeGreaterThan(MARKER.length - 1);
  return JSON.parse(html.slice(from, html.indexOf('\n', from)).trimEnd().replace(/;$/, '')) as ReturnType<typeof definitionIn>;
}

describe('withServerFirst', () => {
  const page = (servers: unknown[]) => `<script>\n      ${MARKER}${JSON.stringify({ info: { title: 'T' }, servers })};\n      hydrate();\n</script>`;
  const mock = { url: 'http://127.0.0.1:4010/x/v1', description: 'mock' };

  it.each([
    ['keeps absolute vendor servers after the mock', [{ url: 'https://api.vendor.example/v1' }], [mock, { url: 'https://api.vendor.example/v1' }]],
    ['drops relative ones, which Redoc would resolve against the mock', [{ url: '/api/backend' }, { url: 'https://eu.vendor.example' }], [mock, { url: 'https://eu.vendor.example' }]],
    ['adds the mock when the spec lists no server', [], [mock]],
  ])('%s', (_name, servers, expected) => {
    const served = withServerFirst(page(servers), mock);
    expect(definitionIn(served).servers).toEqual(expected);
    expect(served.endsWith(';\n      hydrate();\n</script>')).toBe(true);
  });

  it('escapes `<` so a spec can never close the script it sits in', () => {
    const served = withServerFirst(page([]), { url: 'http://127.0.0.1:1/a', description: '</script><script>alert(1)</script>' });
    expect(served.match(/<\/script>/g)).toHaveLength(1);
    expect(definitionIn(served).servers?.[0]?.description).toBe('</script><script>alert(1)</script>');
  });

  it('returns a page without a Redoc definition unchanged', () => {
    expect(withServerFirst('<title>stub</title>', mock)).toBe('<title>stub</title>');
  });
});

describe.each(API_SLUGS)('/docs/%s', (slug) => {
  it("lists this server's base URL for the API first; the built page on disk keeps the vendor's servers", async () => {
    const h = await startMock();
    const built = readFileSync(join(docsDir, `${slug}.html`), 'utf8');
    const served = await (await fetch(`${h.running.url}/docs/${slug}`)).text();

    const vendorServers = loadSpec(slug).servers ?? [];
    expect(definitionIn(built).servers).toEqual(vendorServers);
    const servers = definitionIn(served).servers ?? [];
    expect(servers[0]?.url).toBe(h.running.baseUrl(slug));
    expect(servers.slice(1)).toEqual(vendorServers.filter((server) => /^https?:\/\//.test(server.url)));
    // Nothing else on the page changes.
    const outside = (html: string) => html.slice(0, html.indexOf(MARKER)) + html.slice(html.indexOf('\n', html.indexOf(MARKER)));
    expect(outside(served)).toBe(outside(built));
  });
});

describe('the served page in Chromium', () => {
  let browser: Browser;
  // One tab for every test: a new tab costs Chromium a renderer process or two (about 0.75 s of CPU)
  // before it loads anything. Each test's mock listens on a port of its own, so each visit is a
  // fresh document of an origin no earlier test used: nothing stored by one page reaches the next.
  let page: Page;
  beforeAll(async () => {
    const executablePath = findChromium();
    if (!executablePath) throw new Error(missingChromiumMessage());
    browser = await chromium.launch({ executablePath, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'] });
    page = await browser.newPage();
  });
  afterAll(() => browser?.close());

  it.each(API_SLUGS)('%s: shows the mock base URL as the first server, and that URL answers', async (slug) => {
    const h = await startMock();
    const errors: string[] = [];
    const onError = (error: Error) => errors.push(error.message);
    page.on('pageerror', onError);
    try {
      await page.goto(`${h.running.url}/docs/${slug}`);
      const panel = page.getByTestId('panel-servers');
      // The static markup shows the vendor's servers until Redoc's script has rendered the definition.
      await expect.poll(async () => (await panel.innerText()).split('\n').map((line) => line.trim()).filter(Boolean)[2], { timeout: 15_000 }).toBe(h.running.baseUrl(slug));
      const copied = (await panel.innerText()).split('\n').map((line) => line.trim()).filter(Boolean)[2]!;
      // A reader pastes it in front of an operation's path: the API answers with a documented status.
      // A GET without path parameters where there is one; else any GET, a placeholder in its path;
      // else (LumozAI has only POSTs) a bare request, answered with an error.
      const operations = listOperations(loadSpec(slug));
      const gets = operations.filter((candidate) => candidate.method === 'GET');
      const operation = gets.find((candidate) => !candidate.path.includes('{')) ?? gets[0] ?? operations.find((candidate) => !candidate.path.includes('{'));
      expect(operation, `${slug} has an operation to call`).toBeDefined();
      const answer = await fetch(`${copied}${operation!.path.replace(/\{[^}]+\}/g, 'x')}`, { method: operation!.method });
      expect(operation!.statuses).toContain(String(answer.status));
      expect(errors).toEqual([]);
    } finally {
      page.off('pageerror', onError);
    }
  });
});
