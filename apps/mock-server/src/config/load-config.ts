import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

import { API_SLUGS, APIS } from '../apis/registry.js';
import type { ApiKeyConfig } from '../core/api-keys.js';
import type { MockServerOptions } from '../create-mock-server.js';
import type { WebhookDispatcherOptions } from '../core/webhooks.js';
import { configProblem } from './config-schema.js';

/** The JSON config file: the serializable part of {@link MockServerOptions}. */
export type MockConfigFile = Pick<
  MockServerOptions,
  'apis' | 'timing' | 'resultRetentionMs' | 'jobRetentionMs' | 'idempotencyRetentionMs' | 'bodyLimit' | 'publicUrl' | 'upstreams' | 'proxy' | 'record' | 'inspector'
> & {
  /**
   * Proxy mode, command line only: where the drift report is written when the proxy stops (read
   * from the config file's folder, like every file it names). `--drift-file` wins.
   * Default: `imagegen-drift.json`.
   */
  driftFile?: string;
  /** Webhook delivery: attempts, backoff, timeouts, allowed address ranges (`WEBHOOKS_CONFIG_SCHEMA`). Default: the dispatcher's defaults. */
  webhooks?: WebhookFileOptions;
};

/** The serializable part of {@link WebhookDispatcherOptions}, as the config file gives it. */
export type WebhookFileOptions = Pick<
  WebhookDispatcherOptions,
  'maxAttempts' | 'baseDelayMs' | 'maxDelayMs' | 'jitter' | 'attemptTimeoutMs' | 'maxResponseBytes' | 'allowedRanges' | 'maxKept' | 'maxAgeMs' | 'maxPending'
> & {
  /** PEM CA certificates trusted for https receivers besides Node's roots. Default: none. */
  ca?: string | string[];
};

/**
 * Settings from, in order of precedence: `--config <file>`, `IMAGEGEN_MOCK_CONFIG` (a file path),
 * `IMAGEGEN_MOCK_CONFIG_JSON` (inline JSON), checked against the published config schema
 * (`dist/config.schema.json`): a config that breaks it throws one line naming the setting and
 * what is wrong with it. A vendor's documented key variable
 * (`LUMIXAI_API_KEY`, ...) set in the environment is accepted as one more unlimited key, so the
 * docs' examples run as they are. File settings (each API's `modelsFile`, `catalogFile`: every
 * setting named `...File`; the proxy's `record` and `driftFile`) are read from the config file's folder, and from the working directory
 * for `IMAGEGEN_MOCK_CONFIG_JSON`; either way they are made absolute, so an error names the file
 * that was looked for.
 */
export function loadConfig(configPath: string | undefined, env: NodeJS.ProcessEnv = process.env): MockConfigFile {
  if (configPath === undefined && env.IMAGEGEN_MOCK_CONFIG && env.IMAGEGEN_MOCK_CONFIG_JSON) {
    // Which one wins would be a guess; the other would be silently ignored.
    throw new Error('IMAGEGEN_MOCK_CONFIG and IMAGEGEN_MOCK_CONFIG_JSON are both set; set one of them');
  }
  const path = configPath ?? env.IMAGEGEN_MOCK_CONFIG;
  let config: MockConfigFile = {};
  if (path) config = withAbsoluteFiles(parseConfig(readConfigFile(path), path), dirname(resolve(path)));
  else if (env.IMAGEGEN_MOCK_CONFIG_JSON) config = withAbsoluteFiles(parseConfig(env.IMAGEGEN_MOCK_CONFIG_JSON, 'IMAGEGEN_MOCK_CONFIG_JSON'), process.cwd());
  return withDocumentedKeyVariables(config, env);
}

function readConfigFile(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException;
    throw new Error(`Mock server config ${resolve(path)} cannot be read: ${code === 'ENOENT' ? 'no such file' : message}`);
  }
}

/** Each API's `...File` settings, and the proxy's `record` folder and `driftFile`, resolved against `folder`. */
function withAbsoluteFiles(config: MockConfigFile, folder: string): MockConfigFile {
  const proxyPaths = {
    ...(config.record === undefined ? {} : { record: resolve(folder, config.record) }),
    ...(config.driftFile === undefined ? {} : { driftFile: resolve(folder, config.driftFile) }),
  };
  config = { ...config, ...proxyPaths };
  if (!config.apis) return config;
  const apis = Object.fromEntries(
    Object.entries(config.apis).map(([slug, settings]) => [
      slug,
      typeof settings === 'object' && settings !== null
        ? Object.fromEntries(Object.entries(settings).map(([name, value]) => [name, /File$/.test(name) && typeof value === 'string' ? resolve(folder, value) : value]))
        : settings,
    ]),
  );
  return { ...config, apis: apis as MockConfigFile['apis'] };
}

function parseConfig(text: string, source: string): MockConfigFile {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new Error(`Mock server config ${source} is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new Error(`Mock server config ${source} must be a JSON object`);
  }
  const apis = (parsed as { apis?: unknown }).apis;
  const unknownApis = Object.keys(typeof apis === 'object' && apis !== null ? apis : {}).filter((slug) => !(API_SLUGS as readonly string[]).includes(slug));
  if (unknownApis.length > 0) {
    throw new Error(`Mock server config ${source} names unknown APIs: ${unknownApis.join(', ')}; known: ${API_SLUGS.join(', ')}`);
  }
  const problem = configProblem(parsed);
  if (problem !== undefined) throw new Error(`Mock server config ${source}: ${problem}`);
  // `$schema` is for editors only.
  const { $schema: _schema, ...config } = parsed as MockConfigFile & { $schema?: string };
  return config;
}

function withDocumentedKeyVariables(config: MockConfigFile, env: NodeJS.ProcessEnv): MockConfigFile {
  const apis: Record<string, { keys?: ApiKeyConfig[] } | false | undefined> = { ...config.apis };
  for (const { slug, keyVariable, devKeys } of APIS) {
    const key = keyVariable === undefined ? undefined : env[keyVariable];
    const current = apis[slug];
    // A key already configured (a dev key exported as the variable) is not listed a second time.
    if (!key || current === false || (current?.keys ?? devKeys).some((configured) => configured.key === key)) continue;
    // The developer's own key joins the configured keys, or the dev keys when none are configured.
    apis[slug] = { ...current, keys: [...(current?.keys ?? devKeys), { key, description: `from $${keyVariable}` }] };
  }
  return { ...config, apis: apis as MockConfigFile['apis'] };
}
