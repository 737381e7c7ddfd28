// The lists every API joins outside its own folders, written from what is on disk (spec/<slug>/
// with an openapi.yaml, packages/<slug>/ with a package.json) instead of by hand: the client
// packages in the dependency lists of the packages that exercise every client, and the tables of
// APIs in the READMEs (the inference counts' table too, spec/readme-inferences.mjs). `pnpm generate` writes them (scripts/write-api-lists.mjs); `pnpm test`
// fails first when one is out of date (scripts/check-generated.mjs).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { parse } from 'yaml';

import { countsTable, withTable } from '../spec/readme-inferences.mjs';

import { ROOT, specSlugs } from './generated-types.mjs';

/** Packages that test every client: each depends on all of them, in this field. Not per API. */
const EVERY_CLIENT = [
  { dir: 'apps/mock-server', field: 'devDependencies' },
  { dir: 'apps/contract-tests', field: 'devDependencies' },
  { dir: 'apps/consumer-tests', field: 'devDependencies' },
];

const readJson = (file) => JSON.parse(readFileSync(join(ROOT, file), 'utf8'));

/** Every API with a spec: its slug, the spec's title and version, and its client package if it has one. */
export function apis() {
  return specSlugs().map((slug) => {
    const { info } = parse(readFileSync(join(ROOT, 'spec', slug, 'openapi.yaml'), 'utf8'));
    const manifest = join('packages', slug, 'package.json');
    return { slug, title: info.title, version: String(info.version), client: existsSync(join(ROOT, manifest)) ? readJson(manifest).name : undefined };
  });
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

/** Each generated list: its file, and the text it should have given its current text. */
export function apiLists() {
  const all = apis();
  const clients = all.flatMap((api) => (api.client ? [api.client] : []));
  const manifests = EVERY_CLIENT.map(({ dir, field }) => ({
    file: join(dir, 'package.json'),
    render: (text) => `${JSON.stringify(withEveryClient(JSON.parse(text), field, clients), null, 2)}\n`,
  }));
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
    // The spec package's own generated table (inference counts per API), so one command writes every list.
    { file: 'README.md', render: (text) => withTable(text, countsTable()) },
    { file: 'spec/README.md', render: (text) => replaceSection(text, 'apis', specTable, 'spec/README.md') },
  ];
}
