// The inspector page in a real Chromium: a life cycle on every API (a refused request, a failed
// job, a fault, and a retried webhook where the API has webhooks) shows up on it, it updates live
// and filters by API and key, and its first view is whole with JavaScript disabled. A screenshot
// of each is kept in test-results/inspector/ (gitignored).
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

import { findChromium, missingChromiumMessage } from '../../../scripts/ensure-chromium.mjs';
import { API_SLUGS, APIS, loadSpec, settleOnManualClock } from '../src/index.js';
import type { ApiSlug } from '../src/index.js';
import { hookReceiver } from './apis/lumen/support.js';
import { declaresCallbacks } from './callback-case.js';
import type { Harness } from './harness.js';
import { startMock } from './harness.js';
import type { InspectorDrive } from './inspector-drive.js';
import { perSlugCases } from './per-slug-cases.js';

const ARTIFACTS = fileURLToPath(new URL('../test-results/inspector/', import.meta.url));
const TIMING = { queuedMs: 1000, runningMs: 4000 };

interface Drive extends InspectorDrive {
  slug: ApiSlug;
  /** The operation that creates a job (its descriptor's `jobOperations.submit`), which the fault plan names. */
  createOperation: string | undefined;
  /** Whether the API sends webhooks: its spec declares a callback. */
  hooks: boolean;
}

const { cases, missing, extra } = await perSlugCases<InspectorDrive, ApiSlug>('inspector-drive', API_SLUGS);
const DRIVES: Drive[] = cases.map((drive) => ({
  ...drive,
  createOperation: APIS.find((api) => api.slug === drive.slug)?.jobOperations?.submit,
  hooks: declaresCallbacks(loadSpec(drive.slug)),
}));
const LUMIXAI = DRIVES.find((drive) => drive.slug === 'lumixai')!;

function send(h: Harness, drive: Drive, options: { key?: string; prefer?: string; hook?: string } = {}): Promise<Response> {
  const payload = drive.body(options.hook);
  const prefer = [drive.prefer, options.prefer].filter(Boolean).join(', ');
  const headers: Record<string, string> = { ...drive.auth(options.key ?? drive.key), ...(prefer ? { Prefer: prefer } : {}) };
  const body = 'json' in payload ? JSON.stringify(payload.json) : new URLSearchParams(payload.form).toString();
  headers['Content-Type'] = 'json' in payload ? 'application/json' : 'application/x-www-form-urlencoded';
  return fetch(`${h.running.baseUrl(drive.slug)}${drive.path}`, { method: 'POST', headers, body });
}

/** Every API through a life cycle; resolves once jobs have settled and webhooks were retried to delivery. */
async function driveEveryApi(h: Harness): Promise<void> {
  for (const drive of DRIVES) {
    expect(drive.createOperation, `${drive.slug}: the operation the fault plan names exists`).toBeTruthy();
    const refused = await send(h, drive, { key: `${drive.key}-not-a-valid-key` });
    expect(refused.status, `${drive.slug} refuses an unknown key`).toBe(401);
    const hook = drive.hooks ? (await hookReceiver(500, 200)).url : undefined;
    const ok = await send(h, drive, { hook });
    expect(ok.status, `${drive.slug}: ${await ok.clone().text()}`).toBeLessThan(300);
    const failed = await send(h, drive, { prefer: drive.fail });
    expect(failed.status, `${drive.slug}: ${await failed.clone().text()}`).toBeLessThan(300);
    const plan = await fetch(`${h.running.url}/_mock/faults`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ api: drive.slug, operation: drive.createOperation, fault: 'drop-after-commit' }) });
    expect(plan.status, await plan.clone().text()).toBe(201);
    await expect(send(h, drive), `${drive.slug}: the planned fault drops the answer`).rejects.toThrow();
  }
  h.clock.advance(TIMING.queuedMs + TIMING.runningMs);
  await vi.waitFor(() => expect(new Set(h.mock.webhooks.list().map((d) => d.api))).toEqual(new Set(DRIVES.filter((d) => d.hooks).map((d) => d.slug))));
  await settleOnManualClock(h.mock.webhooks, h.clock);
}

const within = (page: Page, section: string, slug: string) => page.locator(`#${section} [data-api="${slug}"]`);

describe('the inspector page in Chromium', () => {
  let browser: Browser;
  beforeAll(async () => {
    const executablePath = findChromium();
    if (!executablePath) throw new Error(missingChromiumMessage());
    browser = await chromium.launch({ executablePath, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'] });
    mkdirSync(ARTIFACTS, { recursive: true });
  });
  afterAll(() => browser?.close());

  it('shows each API: the refused request and why, the failed job, the fault that fired, the retried webhook and its signature; then updates live and filters', async () => {
    const h = await startMock({ timing: TIMING, webhooks: { baseDelayMs: 5000, jitter: 0 } });
    await driveEveryApi(h);
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    page.setDefaultTimeout(5000);
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('console', (message) => message.type() === 'error' && errors.push(message.text()));
    const offsite: string[] = [];
    page.on('request', (request) => !request.url().startsWith(h.running.url) && offsite.push(request.url()));
    try {
      await page.goto(`${h.running.url}/_mock/`);
      for (const drive of DRIVES) {
        const requests = within(page, 'requests', drive.slug);
        await expect.poll(() => requests.locator('details.request[data-status="401"]').count(), { message: `${drive.slug}: the refused request` }).toBe(1);
        expect(await requests.locator('details.request[data-status="none"]').count(), `${drive.slug}: the request whose answer the fault dropped`).toBe(1);
        const jobs = within(page, 'jobs', drive.slug);
        expect(await jobs.locator('tr[data-phase="failed"]').count(), `${drive.slug}: a failed job`).toBeGreaterThan(0);
        const thumbnail = jobs.locator('tr[data-phase="succeeded"] img').first();
        await thumbnail.scrollIntoViewIfNeeded(); // thumbnails load lazily
        await expect.poll(() => thumbnail.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0), { message: `${drive.slug}: a thumbnail of the rendered image` }).toBe(true);
        expect(await page.locator(`#faults tr[data-api="${drive.slug}"]`).count(), `${drive.slug}: the fault that fired`).toBeGreaterThan(0);
        if (drive.hooks) {
          const deliveries = within(page, 'webhooks', drive.slug);
          const attempts = await deliveries.evaluateAll((all) => all.map((d) => [d.getAttribute('data-status'), d.querySelectorAll('table.attempts tbody tr').length]));
          expect(attempts, `${drive.slug}: the webhook failed once, was retried and delivered`).toContainEqual(['delivered', 2]);
        }
      }
      const lumenHook = within(page, 'webhooks', 'lumen').first();
      expect(await lumenHook.locator('summary').innerText()).toMatch(/signature verifies with secret your…or/);
      // Why a request was refused, in its answer: click it open.
      const refused = within(page, 'requests', 'lumen').locator('details.request[data-status="401"]');
      await refused.locator('summary').click();
      expect(await refused.locator('.exchange').innerText()).toMatch(/invalid_api_key/);
      expect(await page.content()).not.toContain('sk-lumen-mock-dev');
      await page.screenshot({ path: `${ARTIFACTS}page.png`, fullPage: true });

      // Live: a request made now shows up without a reload, and the open <details> stays open.
      const before = await within(page, 'requests', 'lumixai').locator('details.request').count();
      await send(h, LUMIXAI, { key: 'air_live_another_bad_key_0001' });
      await expect.poll(() => within(page, 'requests', 'lumixai').locator('details.request').count(), { timeout: 10_000 }).toBe(before + 1);
      expect(await page.locator('#live').innerText()).toMatch(/Live/);
      expect(await refused.getAttribute('open')).not.toBeNull();

      // Filter by API and key, applied without a reload.
      await page.selectOption('select[name="api"]', 'lumen');
      await expect.poll(() => page.locator('#requests .api').count()).toBe(1);
      expect(page.url()).toContain('api=lumen');
      await page.selectOption('select[name="key"]', { label: 'sk-l…ev' });
      await expect.poll(() => page.locator('#requests details.request').count()).toBe(3); // created, failed, dropped
      expect(await page.locator('#requests details.request[data-status="401"]').count()).toBe(0);
      await page.screenshot({ path: `${ARTIFACTS}filtered.png`, fullPage: true });
      expect(errors).toEqual([]);
      expect(offsite, 'the page fetches nothing from outside the mock').toEqual([]);
    } finally {
      await page.close();
    }
  });

  it('the first view is whole with JavaScript disabled, and the filter form works as a plain GET', async () => {
    const h = await startMock({ timing: TIMING, webhooks: { baseDelayMs: 5000, jitter: 0 } });
    await driveEveryApi(h);
    const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 1400, height: 1000 } });
    const page = await context.newPage();
    try {
      await page.goto(`${h.running.url}/_mock/`);
      for (const drive of DRIVES) {
        expect(await within(page, 'requests', drive.slug).locator('details.request[data-status="401"]').count(), drive.slug).toBe(1);
        expect(await within(page, 'jobs', drive.slug).locator('tr[data-phase="failed"]').count(), drive.slug).toBeGreaterThan(0);
      }
      expect(await page.locator('#webhooks details.delivery').count()).toBeGreaterThanOrEqual(3);
      // <details> open without a script.
      const refused = within(page, 'requests', 'lumozai').locator('details.request[data-status="401"]');
      await refused.locator('summary').click();
      expect(await refused.locator('.exchange').isVisible()).toBe(true);
      await page.screenshot({ path: `${ARTIFACTS}no-javascript.png`, fullPage: true });
      await page.selectOption('select[name="api"]', 'useapi-luma');
      await Promise.all([page.waitForURL(/api=useapi-luma/), page.click('button[type="submit"]')]);
      expect(await page.locator('#jobs .api').count()).toBe(1);
      expect(await page.locator('#jobs [data-api="useapi-luma"] tr[data-phase]').count()).toBeGreaterThan(0);
    } finally {
      await context.close();
    }
  });
});

describe('every API the mock serves is driven', () => {
  it('has an inspector drive (test/apis/<slug>/inspector-drive.ts) and a job operation for its fault plan, and only those', () => {
    expect(missing, 'APIs the mock serves without an inspector drive: add these files').toEqual([]);
    expect(extra, 'inspector drives of folders that are not an API the mock serves').toEqual([]);
    expect(DRIVES.map((drive) => drive.slug)).toEqual(API_SLUGS);
    expect(DRIVES.filter((drive) => drive.createOperation === undefined).map((drive) => drive.slug), 'APIs whose descriptor declares no jobOperations').toEqual([]);
    // The specs say which send webhooks; the page is checked for their retried deliveries.
    expect(DRIVES.some((drive) => drive.hooks), 'no API with webhooks: the webhook checks would prove nothing').toBe(true);
  });
});
