// Opens the built docs in real Chromium, served the way the mock server serves them, and checks that
// Redoc rendered every operation of every spec without reaching for the network.
// Builds nothing: the `test` task depends on `build`, so dist/ is already there.
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { chromium } from 'playwright-core';
import type { Browser, Page, Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parse } from 'yaml';

import { findChromium, missingChromiumMessage } from '../../../scripts/ensure-chromium.mjs';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const distDir = join(packageDir, 'dist');
const resultsDir = join(packageDir, 'test-results');
const specDir = dirname(createRequire(import.meta.url).resolve('@imagegen/spec/package.json'));

interface Operation {
  summary: string;
  /** The operation's 2xx response codes: Redoc must open one of them by default. */
  successCodes: string[];
}
interface Api {
  slug: string;
  title: string;
  version: string;
  operations: Operation[];
  /** Whether some node of the spec carries `x-inferred: true`. */
  hasInferred: boolean;
  /** The `x-inferred-reason` of every marked node, in document order. */
  inferredReasons: string[];
  /** The spec's own `servers`: the standalone page lists exactly these. */
  servers: Array<{ url: string; description?: string }>;
}

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

function hasInferredNode(node: unknown): boolean {
  if (Array.isArray(node)) return node.some(hasInferredNode);
  if (node === null || typeof node !== 'object') return false;
  const record = node as Record<string, unknown>;
  return record['x-inferred'] === true || Object.values(record).some(hasInferredNode);
}

function inferredReasonsOf(node: unknown): string[] {
  if (Array.isArray(node)) return node.flatMap(inferredReasonsOf);
  if (node === null || typeof node !== 'object') return [];
  const record = node as Record<string, unknown>;
  const own = record['x-inferred'] === true ? [String(record['x-inferred-reason'])] : [];
  return [...own, ...Object.entries(record).filter(([key]) => !key.startsWith('x-')).flatMap(([, child]) => inferredReasonsOf(child))];
}

function loadApi(slug: string): Api {
  const doc = parse(readFileSync(join(specDir, slug, 'openapi.yaml'), 'utf8'));
  const operations: Operation[] = [];
  for (const pathItem of Object.values<Record<string, unknown>>(doc.paths ?? {})) {
    for (const method of HTTP_METHODS) {
      const op = pathItem[method] as { summary?: string; operationId: string; responses?: object } | undefined;
      if (!op) continue;
      operations.push({
        // Redoc falls back to the operationId when there is no summary.
        summary: op.summary ?? op.operationId,
        successCodes: Object.keys(op.responses ?? {}).filter((code) => code.startsWith('2')),
      });
    }
  }
  return {
    slug,
    title: doc.info.title,
    version: String(doc.info.version),
    operations,
    hasInferred: hasInferredNode(doc),
    inferredReasons: inferredReasonsOf(doc),
    servers: doc.servers ?? [],
  };
}

// The same rule as build-docs.mjs: every spec/<slug>/openapi.yaml is an API.
const apis = readdirSync(specDir, { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && existsSync(join(specDir, entry.name, 'openapi.yaml')))
  .map((entry) => loadApi(entry.name))
  .sort((a, b) => a.slug.localeCompare(b.slug));

/** Serves dist/ at the mock server's routes: /docs and /docs/ the index, /docs/<slug>[/] one API. */
function serveDist(): Promise<Server> {
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname.replace(/\/$/, '');
    const slug = /^\/docs\/([a-z0-9-]+)$/.exec(path)?.[1];
    const file = path === '/docs' ? 'index.html' : slug ? `${slug}.html` : undefined;
    if (req.method !== 'GET' || !file || !existsSync(join(distDir, file))) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(readFileSync(join(distDir, file)));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

/** True for any request that would leave this machine's loopback server. */
function leavesLoopback(url: string): boolean {
  const { protocol, hostname } = new URL(url);
  if (protocol === 'data:' || protocol === 'blob:' || protocol === 'about:') return false;
  return !(protocol === 'http:' && hostname === '127.0.0.1');
}

let server: Server;
let base: string;
let browser: Browser;
/**
 * The one tab of the file. A new context or tab costs Chromium a renderer process of its own, then
 * a second one when it leaves about:blank for the server (about 0.75 s of CPU before the page even
 * loads, as much again as the page); one tab keeps one renderer for every visit. Each visit is a
 * fresh document with its storage cleared (visit()), so no test sees what an earlier page did.
 */
let tab: Page;

beforeAll(async () => {
  // The root `test` script installs Chromium when it can; run alone, this fails at once saying how.
  const executablePath = findChromium();
  if (!executablePath) throw new Error(missingChromiumMessage());
  server = await serveDist();
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await chromium.launch({
    executablePath,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
  });
  tab = await (await browser.newContext({ viewport: { width: 1400, height: 1000 } })).newPage();
  mkdirSync(resultsDir, { recursive: true });
});

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => server?.close(resolve));
});

let stopWatching = () => {};

/** The index whose links the API pages' tests follow to reach their page. */
const PAGES_REACHED_FROM = '/docs';
/** The APIs whose page was reached by its link on that index, landed on and checked. */
const followed = new Set<string>();

/** Clicks `api`'s link on the index `page` shows, and checks that it lands on that API's rendered page. */
async function followLink(page: Page, api: Api): Promise<void> {
  await page.getByRole('link', { name: api.title, exact: true }).click();
  await page.waitForURL(`${base}/docs/${api.slug}`);
  const h1 = page.getByRole('heading', { level: 1 });
  await h1.waitFor();
  expect(await h1.innerText()).toContain(api.title);
  expect(await page.title()).toBe(api.title);
}

/**
 * Opens `url` in the tab as a fresh visit: what an earlier page stored for the server's origin
 * (Redoc keeps its colour mode in localStorage and UI state in sessionStorage) is cleared first,
 * and from here on every request the tab makes and every uncaught error it throws is recorded
 * for this visit alone, until the next one.
 */
async function visit(url: string): Promise<{ page: Page; requests: string[]; errors: string[] }> {
  stopWatching();
  if (new URL(tab.url()).origin === base) {
    await tab.evaluate(() => {
      localStorage.clear();
      sessionStorage.clear();
    });
  }
  const requests: string[] = [];
  const errors: string[] = [];
  const onRequest = (request: Request) => requests.push(request.url());
  const onError = (error: Error) => errors.push(error.message);
  tab.on('request', onRequest);
  tab.on('pageerror', onError);
  stopWatching = () => {
    tab.off('request', onRequest);
    tab.off('pageerror', onError);
  };
  await tab.goto(url);
  return { page: tab, requests, errors };
}

describe('dist/', () => {
  it('has a page per spec and a manifest that lists them', () => {
    const manifest: unknown = JSON.parse(readFileSync(join(distDir, 'manifest.json'), 'utf8'));
    expect(manifest).toEqual(
      apis.map(({ slug, title, version }) => ({ slug, title, version, file: `${slug}.html` })),
    );
    for (const api of apis) expect(existsSync(join(distDir, `${api.slug}.html`)), api.slug).toBe(true);
    expect(apis.length).toBeGreaterThan(0);
  });
});

describe.each(apis)('/docs/$slug', (api) => {
  // Both tests read one load of the page: a 2.6 MB Redoc page costs Chromium 1-2 s of CPU to load
  // and render, and loading each page once per test was a fifth of this file's. The page is reached
  // as a reader reaches it, by its link on the index at /docs, so that this one load also proves
  // the link lands on it (the index tests below check every link of both index URLs).
  let loaded: Promise<{ page: Page; requests: string[]; errors: string[]; url: string }> | undefined;
  const apiPage = () =>
    (loaded ??= (async () => {
      const watched = await visit(base + PAGES_REACHED_FROM);
      await followLink(watched.page, api);
      followed.add(api.slug);
      return { ...watched, url: `${base}/docs/${api.slug}` };
    })());

  it('renders every operation, its 2xx response and the x-inferred markers, all offline', async () => {
    const { page, requests, errors, url } = await apiPage();

    expect(await page.title()).toBe(api.title);
    const h1 = page.getByRole('heading', { level: 1 });
    await h1.waitFor();
    expect(await h1.innerText()).toContain(`${api.title} (${api.version})`);

    // The vendor's servers, exactly (Redoc may show a relative URL resolved against the page); the
    // mock server puts its own base URL first only on the page it serves, never in dist/.
    const shownServers = async () => (await page.getByTestId('panel-servers').innerText()).split('\n').map((line) => line.trim()).filter(Boolean).slice(1);
    const asShown = (line: string) => api.servers.find((server) => new URL(server.url, url).href.replace(/\/$/, '') === line)?.url ?? line;
    expect((await shownServers()).map(asShown)).toEqual(api.servers.flatMap((server) => [server.description ?? '', server.url].filter(Boolean)));

    // Redoc 3 lists tag groups collapsed ("+ Show") and renders one group's operations at a time.
    // The groups appear only once the client has rendered, so wait for the first one.
    // Redoc renders sections as they near the viewport; the description (inference report
    // included) pushes the groups below it, so scroll until the first one is there.
    await vi.waitFor(
      async () => {
        await page.mouse.wheel(0, 2000);
        await page.getByRole('button', { name: '+ Show' }).first().waitFor({ timeout: 500 });
      },
      { timeout: 30_000, interval: 50 },
    );
    const groups = page.locator('[data-section-id]').filter({ has: page.getByRole('button', { name: '+ Show' }) });
    // Scroll to the end so every group is rendered before they are listed.
    await vi.waitFor(
      async () => {
        await page.mouse.wheel(0, 4000);
        const atEnd = await page.evaluate(() => window.scrollY + window.innerHeight >= document.documentElement.scrollHeight - 2);
        if (!atEnd) throw new Error('not at the end of the page yet');
      },
      { timeout: 30_000, interval: 50 },
    );
    const groupIds = await groups.evaluateAll((sections) => sections.map((section) => section.getAttribute('data-section-id') ?? ''));
    expect(groupIds.length).toBeGreaterThan(0);

    const inferredMarker = /^inferred:\s*true$/; // Redoc shows `x-inferred: true` as "inferred: true".
    const seen: string[] = [];
    let inferredSeen = 0;
    let screenshotTaken = false;
    for (const id of groupIds) {
      const operations = page.locator(`[data-section-id^="${id}/"]`);
      // A click that lands before React has attached its handlers does nothing: retry until the group opens.
      await vi.waitFor(
        async () => {
          if ((await operations.count()) === 0) {
            await page.locator(`[data-section-id="${id}"]`).getByRole('button', { name: '+ Show' }).click({ timeout: 2_000 });
          }
          await operations.first().waitFor({ state: 'attached', timeout: 1_000 });
        },
        { timeout: 20_000, interval: 100 },
      );

      for (let i = 0, count = await operations.count(); i < count; i++) {
        const section = operations.nth(i);
        await section.scrollIntoViewIfNeeded(); // Redoc renders an operation once it scrolls into view.
        const heading = section.getByRole('heading', { level: 2 }).first();
        await heading.waitFor({ state: 'visible' });
        // While Redoc swaps its placeholder for the operation, the heading can be briefly empty.
        const summary = await vi.waitFor(async () => {
          const text = (await heading.innerText()).trim();
          if (!text) throw new Error('the operation heading is still empty');
          return text;
        });
        seen.push(summary);

        const operation = api.operations.find((op) => op.summary === summary);
        expect(operation, `an operation with the summary "${summary}"`).toBeDefined();
        const openResponse = section
          .getByRole('tablist', { name: 'Response status' })
          .first()
          .getByRole('tab', { selected: true });
        expect(operation?.successCodes, `response open by default in "${summary}"`).toContain(
          (await openResponse.innerText()).trim(),
        );

        const markers = section.getByText(inferredMarker).filter({ visible: true });
        inferredSeen += await markers.count();
        if (!screenshotTaken && (await markers.count()) > 0) {
          // The view a reader should check: an operation with an inferred node.
          await markers.first().scrollIntoViewIfNeeded();
          await page.screenshot({ path: join(resultsDir, `${api.slug}.png`) });
          screenshotTaken = true;
        }
      }
    }
    if (!screenshotTaken) await page.screenshot({ path: join(resultsDir, `${api.slug}.png`) });

    expect(seen.sort()).toEqual(api.operations.map((op) => op.summary).sort());
    expect(inferredSeen > 0, 'an x-inferred marker is visible').toBe(api.hasInferred);
    expect(errors).toEqual([]);
    expect(requests).toContain(url); // the recorder works, so the next check can fail
    expect(requests.filter(leavesLoopback)).toEqual([]);
  });

  it('shows an inference report: a section with the number of inferred nodes and a row with the reason of each', async () => {
    const { page } = await apiPage();
    // A heading of its own, with a deep link (#section/inference-report) a reader can share.
    const heading = page.locator('[id="section/inference-report"]');
    await heading.waitFor();
    // The page was scrolled to its end by the test before: bring the section back into view, where
    // Redoc may be swapping its placeholder for the section (briefly empty), as a reader would.
    await heading.scrollIntoViewIfNeeded();
    const title = await vi.waitFor(async () => {
      const text = (await heading.innerText()).trim();
      if (!text) throw new Error('the inference report heading is still empty');
      return text;
    });
    expect(title).toBe('Inference report');
    const count = api.inferredReasons.length;
    expect(count).toBeGreaterThan(0);
    expect(await heading.locator('xpath=following::p[1]').innerText()).toContain(`This contract marks ${count} nodes x-inferred`);
    const rows = heading.locator('xpath=following::table[1]').locator('tbody tr');
    expect(await rows.count()).toBe(count);
    const shown = await rows.evaluateAll((cells) => cells.map((row) => row.lastElementChild?.textContent?.trim() ?? ''));
    expect(shown).toEqual(api.inferredReasons);
  });
});

describe.each(['/docs', '/docs/'])('index at %s', (indexPath) => {
  it('links to every API, and each link lands on its rendered page', async () => {
    const { page, requests, errors } = await visit(base + indexPath);
    expect(await page.getByRole('listitem').count()).toBe(apis.length);
    if (indexPath === '/docs') await page.screenshot({ path: join(resultsDir, 'index.png') });

    for (const api of apis) {
      const link = page.getByRole('link', { name: api.title, exact: true });
      expect(await link.evaluate((a) => (a as HTMLAnchorElement).href)).toBe(`${base}/docs/${api.slug}`);
      expect(await link.locator('xpath=..').innerText()).toContain(api.version);
      // The API's own tests above reached their page by this very link, landed on it and checked
      // it in full: loading the 2.6 MB page once more would prove nothing new.
      if (indexPath === PAGES_REACHED_FROM && followed.has(api.slug)) continue;
      await followLink(page, api);
      await page.goBack();
    }

    expect(errors).toEqual([]);
    expect(requests).toContain(base + indexPath);
    expect(requests.filter(leavesLoopback)).toEqual([]);
  });
});
