// Issue 6 row 7: the config is checked against a JSON Schema published with the package, built
// from core's settings and every registered API's own `configSchema`, which editors complete
// through `$schema` from a project that installed the package.
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';

import { CONFIG_SCHEMA_FILE, mockConfigSchema } from '../src/config/config-schema.js';
import { APIS, loadConfig } from '../src/index.js';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const SCHEMA_REF = `./node_modules/@imagegen/mock-server/${CONFIG_SCHEMA_FILE}`;

/** The `json` block of the root README's Configuration section: what users copy. */
function readmeConfig(): unknown {
  const readme = readFileSync(join(packageDir, '../../README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('### Configuration'));
  return JSON.parse(/```json\n([\s\S]*?)```/.exec(section)![1]!);
}

describe('the published config schema', () => {
  it('is written into the package by the build, from the code that checks configs', () => {
    const built = JSON.parse(readFileSync(join(packageDir, CONFIG_SCHEMA_FILE), 'utf8')) as unknown;
    expect(built, 'run pnpm build: it writes dist/config.schema.json').toEqual(mockConfigSchema());
  });

  it('is a valid draft 2020-12 schema (the server compiles it without checking that, to start sooner)', () => {
    const ajv = new Ajv2020({ strict: true });
    expect(ajv.validateSchema(mockConfigSchema()), JSON.stringify(ajv.errors)).toBe(true);
  });

  it('is exported as @imagegen/mock-server/config.schema.json', () => {
    expect(createRequire(import.meta.url).resolve('@imagegen/mock-server/config.schema.json')).toBe(join(packageDir, CONFIG_SCHEMA_FILE));
  });

  it("holds every registered API's configSchema under apis, with false to leave it out", () => {
    const apis = (mockConfigSchema().properties as { apis: { properties: Record<string, { anyOf: unknown[] }> } }).apis.properties;
    expect(Object.keys(apis)).toEqual(APIS.map((api) => api.slug));
    for (const api of APIS) expect(apis[api.slug]?.anyOf).toEqual([expect.objectContaining({ const: false }), api.configSchema]);
  });

  it("accepts the README's example config, with its $schema", () => {
    const config = readmeConfig() as Record<string, unknown>;
    expect(config.$schema).toBe(SCHEMA_REF);
    const loaded = loadConfig(undefined, { IMAGEGEN_MOCK_CONFIG_JSON: JSON.stringify(config) });
    expect(loaded).not.toHaveProperty('$schema');
    expect(loaded.timing).toBe(config.timing);
  });
});

describe("an editor in a project that installed the package, following the config's $schema", () => {
  it('finds the schema, and it tells a good config from a broken one as the server does', async () => {
    const project = await mkdtemp(join(tmpdir(), 'mock-config-'));
    try {
      await mkdir(join(project, 'node_modules/@imagegen'), { recursive: true });
      await symlink(packageDir, join(project, 'node_modules/@imagegen/mock-server'), 'dir');
      const configFile = join(project, 'mock.json');
      await writeFile(configFile, JSON.stringify(readmeConfig()));
      const config = JSON.parse(readFileSync(configFile, 'utf8')) as { $schema: string };
      // Editors resolve a relative $schema against the file that names it.
      const schema = JSON.parse(readFileSync(resolve(dirname(configFile), config.$schema), 'utf8')) as object;
      const validate = new Ajv2020({ strict: false }).compile(schema);
      expect(validate(config), JSON.stringify(validate.errors)).toBe(true);
      const broken = { ...config, apis: { lumixai: { keys: 'notarray' } } };
      expect(validate(broken)).toBe(false);
      expect(() => loadConfig(undefined, { IMAGEGEN_MOCK_CONFIG_JSON: JSON.stringify(broken) })).toThrow('apis.lumixai.keys: must be an array');
    } finally {
      await rm(project, { recursive: true, force: true });
    }
  });
});
