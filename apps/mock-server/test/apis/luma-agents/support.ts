// What every Luma Agents test shares: a mock with only this API, Bearer calls, and the spec's own
// lists (failure codes, aspect ratios) so the tables follow the spec.
import type { Generation, GenerationCreateRequest } from '@imagegen/luma-agents';
import { expect } from 'vitest';

import type { MockServerOptions } from '../../../src/index.js';
import { deref, loadSpec } from '../../../src/index.js';
import type { CallInit, Harness } from '../../harness.js';
import { onlyApi, requester, startMock } from '../../harness.js';

export const KEYS = {
  dev: 'luma-api-mock-dev',
  noBalance: 'luma-api-mock-no-balance',
  suspended: 'luma-api-mock-suspended',
  rpm2: 'luma-api-mock-rpm-2',
  concurrent1: 'luma-api-mock-concurrent-1',
} as const;

export const PROMPT = 'A glass of iced coffee on a marble countertop, morning light streaming through a window';
/** A 1x1 PNG, base64: the smallest inline image. */
export const TINY_PNG_BASE64 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';
export const HOUR = 60 * 60 * 1000;

const doc = loadSpec('luma-agents');
const schemas = doc.components!.schemas!;
/** An enum of the spec, by schema name. */
export function specEnum<T extends string>(schema: 'GenerationFailureCode' | 'AspectRatio' | 'Model' | 'OutputFormat'): T[] {
  return deref<{ enum: T[] }>(doc, schemas[schema]).enum;
}
/** The named examples of the create request in the spec. */
export function requestExamples(): Record<string, GenerationCreateRequest> {
  const body = deref<{ content: Record<string, { examples: Record<string, { value: GenerationCreateRequest }> }> }>(doc, doc.components!.requestBodies!.GenerationCreateRequest);
  return Object.fromEntries(Object.entries(body.content['application/json']!.examples).map(([name, example]) => [name, example.value]));
}

export interface LumaHarness extends Harness {
  /** `http://127.0.0.1:<port>/luma-agents/v1`. */
  lumaBase: string;
  /** A Bearer call below the base URL: `luma('/generations', { json })`. */
  luma(path: string, init?: CallInit): Promise<Response>;
  /** POST /generations, expecting 201; returns the queued generation. */
  create(body?: Partial<GenerationCreateRequest>, init?: { key?: string; prefer?: string }): Promise<Generation>;
  /** GET /generations/{id}, expecting 200. */
  poll(id: string, key?: string): Promise<Generation>;
}

export async function startLuma(options: MockServerOptions = {}): Promise<LumaHarness> {
  const harness = await startMock(onlyApi('luma-agents', options));
  const lumaBase = harness.running.baseUrl('luma-agents');
  const luma = requester(lumaBase, { header: 'Authorization', defaultKey: KEYS.dev, format: (key) => `Bearer ${key}` });
  return {
    ...harness,
    lumaBase,
    luma,
    async create(body = {}, init = {}) {
      const response = await luma('/generations', {
        key: init.key,
        json: { prompt: PROMPT, ...body },
        headers: init.prefer === undefined ? undefined : { Prefer: init.prefer },
      });
      const answer = (await response.json()) as Generation;
      expect(response.status, JSON.stringify(answer)).toBe(201);
      return answer;
    },
    async poll(id, key) {
      const response = await luma(`/generations/${id}`, { key });
      const answer = (await response.json()) as Generation;
      expect(response.status, JSON.stringify(answer)).toBe(200);
      return answer;
    },
  };
}

/** Luma's error body: exactly `{ detail }`, a non-empty string. */
export async function detailOf(response: Response): Promise<string> {
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  const body = (await response.json()) as { detail?: unknown };
  expect(Object.keys(body), JSON.stringify(body)).toEqual(['detail']);
  expect(body.detail).toEqual(expect.any(String));
  return body.detail as string;
}

/** The one output URL of a completed generation. */
export function outputUrl(generation: Generation): string {
  expect(generation.state).toBe('completed');
  expect(generation.output).toHaveLength(1);
  return generation.output![0]!.url;
}
