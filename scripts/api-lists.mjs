// The lists every API joins outside its own folders, written from what is on disk (spec/<slug>/
// with an openapi.yaml, packages/<slug>/ with a package.json, packages/ai-sdk/src/providers/<slug>.ts)
// instead of by hand: the client packages in the dependency lists of the packages that use every
// client, the AI SDK's index of providers, the README's client snippet and the tables of APIs in the
// READMEs (the inference counts' table too, spec/readme-inferences.mjs). `pnpm generate` writes them
// (scripts/write-api-lists.mjs); `pnpm test` fails first when one is out of date (scripts/check-generated.mjs).
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

import { parse } from 'yaml';

import { countsTable, withTable } from '../spec/readme-inferences.mjs';

import { ROOT, specSlugs } from './generated-types.mjs';

/** Where each API's AI SDK provider is written, one file per slug. */
const AI_SDK_PROVIDERS = 'packages/ai-sdk/src/providers';

/**
 * Packages that use every client: each depends on all of them, in this field (`has`: only on the
 * clients of the APIs it has a file for). Not per API.
 */
const EVERY_CLIENT = [
  { dir: 'apps/mock-server', field: 'devDependencies' },
  { dir: 'apps/contract-tests', field: 'devDependencies' },
  { dir: 'apps/consumer-tests', field: 'devDependencies' },
  // adapters/project-clients.mjs drives every client (found by slug at run time).
  { dir: 'packages/conformance', field: 'dependencies' },
  { dir: 'packages/ai-sdk', field: 'dependencies', has: (slug, root) => existsSync(join(root, AI_SDK_PROVIDERS, `${slug}.ts`)) },
];

const readJson = (root, file) => JSON.parse(readFileSync(join(root, file), 'utf8'));

/**
 * How a client package is built, from its package.json's `imagegen` field: the factory's export
 * name, the option that takes the key and the variable the vendor's documentation keeps it in. The
 * README's client snippet and the conformance adapter (packages/conformance/adapters) read it.
 */
function clientFactory(manifest, file) {
  const factory = manifest.imagegen;
  const problem = ['client', 'keyOption', 'keyVariable'].find((field) => typeof factory?.[field] !== 'string');
  if (problem) throw new Error(`${file} needs "imagegen": { "client": "create<Name>Client", "keyOption": "apiKey", "keyVariable": "<VENDOR>_API_KEY" } (${problem} is missing)`);
  return factory;
}

/** The path of the spec's first server URL, as the mock mounts the API below its slug (core/spec-document.ts basePathOf). */
function basePathOf(servers) {
  const url = servers?.[0]?.url ?? '';
  return (/^[a-z]+:\/\//i.test(url) ? new URL(url).pathname : url).replace(/\/+$/, '');
}

/**
 * Every API with a spec: its slug, the spec's title and version, its base path on the mock, and its
 * client package (name and factory) if it has one.
 */
export function apis(root = ROOT) {
  return specSlugs(root).map((slug) => {
    const { info, servers } = parse(readFileSync(join(root, 'spec', slug, 'openapi.yaml'), 'utf8'));
    const file = join('packages', slug, 'package.json');
    const manifest = existsSync(join(root, file)) ? readJson(root, file) : undefined;
    return {
      slug,
      title: info.title,
      version: String(info.version),
      mockPath: `/${slug}${basePathOf(servers)}`,
      client: manifest?.name,
      factory: manifest ? clientFactory(manifest, file) : undefined,
    };
  });
}

/** The AI SDK's providers, one file per slug: the slug and the factory the file exports. */
function aiSdkProviders(root, slugs) {
  const dir = join(root, AI_SDK_PROVIDERS);
  return readdirSync(dir)
    .filter((name) => name.endsWith('.ts'))
    .sort()
    .map((name) => {
      const slug = name.slice(0, -'.ts'.length);
      const file = join(AI_SDK_PROVIDERS, name);
      const text = readFileSync(join(root, file), 'utf8');
      const factory = /^export const (create\w+) = defineProvider\(\{$/m.exec(text)?.[1];
      if (!slugs.includes(slug)) throw new Error(`${file}: no API is named ${slug} (no spec/${slug}/openapi.yaml)`);
      if (!factory || !text.includes(`vendor: '${slug}',`)) throw new Error(`${file} must export one \`export const create<Name> = defineProvider({\` with \`vendor: '${slug}',\``);
      const field = (name) => new RegExp(`^  ${name}: '?([^',]+)'?,$`, 'm').exec(text)?.[1];
      const [keyVariable, defaultBaseUrl, maxImagesPerCall] = ['keyVariable', 'defaultBaseUrl', 'maxImagesPerCall'].map(field);
      if (!keyVariable || !defaultBaseUrl || !maxImagesPerCall) throw new Error(`${file}: keyVariable, defaultBaseUrl and maxImagesPerCall must each be a literal on a line of their own`);
      const images = field('fixedImagesPerCall') === 'true' ? `${maxImagesPerCall} (a batch; all returned)` : /\bn: true\b/.test(text) ? `up to ${maxImagesPerCall} (\`n\`)` : maxImagesPerCall;
      return { slug, factory, keyVariable, defaultBaseUrl, images };
    });
}

/** The AI SDK README's table of providers. */
function aiSdkTable(providers) {
  return [
    '| provider | key variable (default `apiKey`) | default base URL | images per job |',
    '|---|---|---|---|',
    ...providers.map((p) => `| \`${p.factory}\` | \`${p.keyVariable}\` | \`${p.defaultBaseUrl}\` | ${p.images} |`),
    '',
  ].join('\n');
}

const GENERATED_BANNER = (from) => `// Generated by \`pnpm generate\` (scripts/api-lists.mjs) from ${from}. Do not edit.\n`;

/** packages/ai-sdk/src/generated/providers.ts: every provider file's factory, exported, and all of them by slug. */
function aiSdkIndex(providers) {
  const key = (slug) => (/^[a-z]\w*$/.test(slug) ? slug : `'${slug}'`);
  return [
    GENERATED_BANNER(`${AI_SDK_PROVIDERS}/<slug>.ts, one provider per file`),
    "import type { ImagegenProviderFactory } from '../define-provider.js';",
    ...providers.map(({ slug, factory }) => `import { ${factory} } from '../providers/${slug}.js';`),
    '',
    `export { ${providers.map(({ factory }) => factory).join(', ')} };`,
    '',
    "/** Every provider factory, by its vendor's slug (also its `providerOptions` key). */",
    'export const PROVIDERS = {',
    ...providers.map(({ slug, factory }) => `  ${key(slug)}: ${factory},`),
    '} as const satisfies Record<string, ImagegenProviderFactory>;',
    '',
  ].join('\n');
}

/** The README's client snippet: every client against the mock, each with its key from its variable. */
function clientSnippet(all) {
  const withClient = all.filter((api) => api.factory);
  return [
    '```ts',
    ...withClient.map((api) => `import { ${api.factory.client} } from '${api.client}';`),
    '',
    "const mock = 'http://127.0.0.1:4010';",
    'const vendors = [',
    ...withClient.map((api) => `  ${api.factory.client}({ baseUrl: \`\${mock}${api.mockPath}\`, ${api.factory.keyOption}: process.env.${api.factory.keyVariable} }),`),
    '];',
    '',
    'for (const { jobs } of vendors) {',
    '  const { handle, images } = await jobs.generate(',
    "    { prompt: 'a lighthouse at dusk', aspectRatio: '16:9' },       // model: each vendor's documented default",
    '    { wait: { timeoutMs: 120_000, onProgress: (s) => console.log(jobs.vendor, s.state, s.progress) } },',
    '  );',
    '  for (const { bytes, contentType, width, height } of images) console.log(jobs.vendor, contentType, width, height, bytes.length);',
    '}',
    '```',
    '',
  ].join('\n');
}

/** `manifest` with every client package in `field` (entries already there kept as they are), sorted. */
function withEveryClient(manifest, field, clients) {
  const entries = { ...manifest[field] };
  for (const name of clients) entries[name] ??= 'workspace:*';
  return { ...manifest, [field]: Object.fromEntries(Object.entries(entries).sort(([a], [b]) => a.localeCompare(b))) };
}

/** Replaces what lies between `<!-- generated:NAME ... -->` and `<!-- /generated:NAME -->`. */
function replaceSection(text, name, body, file) {
  const pattern = new RegExp(`(<!-- generated:${name}[^>]*-->\\n)[\\s\\S]*?(<!-- /generated:${name} -->)`);
  if (!pattern.test(text)) throw new Error(`${file} has no <!-- generated:${name} --> ... <!-- /generated:${name} --> section`);
  return text.replace(pattern, (_, open, close) => `${open}${body}${close}`);
}

const versioned = (api) => (/^\d+$/.test(api.version) ? `${api.title} v${api.version}` : api.title);

/**
 * Each generated list: its file (relative to `root`), and the text it should have given its current
 * text. `root` is the repository's own unless a test builds another tree.
 */
export function apiLists(root = ROOT) {
  const all = apis(root);
  const manifests = EVERY_CLIENT.map(({ dir, field, has = () => true }) => ({
    file: join(dir, 'package.json'),
    render: (text) => {
      const clients = all.flatMap((api) => (api.client && has(api.slug, root) ? [api.client] : []));
      return `${JSON.stringify(withEveryClient(JSON.parse(text), field, clients), null, 2)}\n`;
    },
  }));
  const providers = aiSdkProviders(root, all.map((api) => api.slug));
  const rootTable = [
    '| slug | API | spec | client |',
    '|---|---|---|---|',
    ...all.map((api) => `| \`${api.slug}\` | ${versioned(api)} | [spec/${api.slug}/openapi.yaml](spec/${api.slug}/openapi.yaml) | ${api.client ? `\`${api.client}\`` : '-'} |`),
    '',
  ].join('\n');
  const specTable = ['| folder | API |', '|---|---|', ...all.map((api) => `| \`${api.slug}/\` | ${versioned(api)} |`), ''].join('\n');
  return [
    ...manifests,
    { file: 'README.md', render: (text) => replaceSection(text, 'apis', rootTable, 'README.md') },
    { file: 'README.md', render: (text) => replaceSection(text, 'clients', clientSnippet(all), 'README.md') },
    { file: join('packages', 'ai-sdk', 'src', 'generated', 'providers.ts'), render: () => aiSdkIndex(providers) },
    { file: join('packages', 'ai-sdk', 'README.md'), render: (text) => replaceSection(text, 'providers', aiSdkTable(providers), 'packages/ai-sdk/README.md') },
    // The spec package's own generated table (inference counts per API), so one command writes every list.
    { file: 'README.md', render: (text) => withTable(text, countsTable()) },
    { file: 'spec/README.md', render: (text) => replaceSection(text, 'apis', specTable, 'spec/README.md') },
  ];
}
