// Renders every spec/<slug>/openapi.yaml to a standalone Redoc page in dist/, plus an index and a manifest.
//
// dist/<slug>.html    one API (served by the mock server at /docs/<slug>)
// dist/index.html     the list of APIs (served at /docs and /docs/)
// dist/manifest.json  [{ slug, title, version, file }] so the mock server need not re-parse the specs
//
// The pages are opened on machines without internet, so nothing may load from another host:
// the Redoc bundle is inlined, the template forbids remote loads, and the build checks the output.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { inferenceMarkdown } from '@imagegen/spec/inferences.mjs';
import { parse } from 'yaml';

const here = dirname(fileURLToPath(import.meta.url));
const distDir = join(here, 'dist');
const template = join(here, 'templates', 'redoc-offline.hbs');
// Through the declared workspace dependency, so the spec folder is wherever @imagegen/spec lives.
const specDir = dirname(fileURLToPath(import.meta.resolve('@imagegen/spec/package.json')));
const redoclyBin = join(dirname(createRequire(import.meta.url).resolve('@redocly/cli/package.json')), 'bin', 'cli.js');

// Links are absolute because the index is served at both /docs and /docs/: a relative `./lumixai`
// would resolve to /lumixai from the former. The mock server mounts every page under this prefix.
const DOCS_BASE = '/docs';

// Redoc 3 options (the `--openapi` group of build-docs). Redoc 3 has no `expandResponses`: it shows the
// responses as tabs with the first (2xx) one open, which the browser test checks.
const redocOptions = {
  // Show only our vendor extensions: whether a node is inferred from the vendor's docs, and why.
  showExtensions: ['x-inferred', 'x-inferred-reason'],
};

// Redoc's sidebar attribution fetches its logo from cdn.redoc.ly at runtime (the template's CSP would
// block it, but the attempt still shows as a failed request); point it at an inline SVG instead.
const REDOC_LOGO_URL = /https:\/\/cdn\.redoc\.ly\/redoc\/logo-mini(?:-full)?\.svg/g;
const INLINE_LOGO =
  'data:image/svg+xml,' +
  encodeURIComponent(
    '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="14"><text x="0" y="11" font-family="system-ui,sans-serif" font-size="11" font-weight="600" fill="#0044d4">Redoc</text></svg>',
  );

// Anything here in a built page would mean it reaches for the network.
const REMOTE_LOADS = [
  { pattern: /<(?:script|link|img|iframe)\b[^>]*\b(?:src|href)\s*=\s*["']?(?:https?:)?\/\//i, what: 'a tag loading from another host' },
  { pattern: /@import\s+(?:url\()?["']?(?:https?:)?\/\//i, what: 'a CSS @import from another host' },
  { pattern: /cdn\.redoc\.ly|cdn\.redocly\.com\/redoc\//, what: 'a Redoc CDN URL' },
];

const run = promisify(execFile);

/** Slugs are the folders of spec/ that hold an openapi.yaml, so a new API needs no change here. */
function listSlugs() {
  return readdirSync(specDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(specDir, entry.name, 'openapi.yaml')))
    .map((entry) => entry.name)
    .sort();
}

/**
 * The spec as the page shows it: its description ends with the inference report (every node marked
 * `x-inferred`, where and why), which Redoc renders as a section with its own menu entry. The spec
 * refers only to itself, so a JSON copy in a scratch directory renders the same.
 */
function withInferenceReport(slug, doc) {
  const described = { ...doc, info: { ...doc.info, description: `${doc.info.description ?? ''}\n\n${inferenceMarkdown(doc)}` } };
  const file = join(mkdtempSync(join(tmpdir(), `docs-${slug}-`)), 'openapi.json');
  writeFileSync(file, JSON.stringify(described));
  return file;
}

async function renderApi(slug) {
  const specPath = join(specDir, slug, 'openapi.yaml');
  const doc = parse(readFileSync(specPath, 'utf8')) ?? {};
  const { info } = doc;
  if (info?.title == null || info.version == null) throw new Error(`${specPath} needs info.title and info.version`);
  const file = `${slug}.html`;
  const output = join(distDir, file);
  const renderedSpec = withInferenceReport(slug, doc);
  const args = [redoclyBin, 'build-docs', renderedSpec, '--output', output, '--template', template];
  // --inlineBundle embeds the Redoc script; without it the page imports it from cdn.redocly.com.
  args.push('--inlineBundle', '--openapi', JSON.stringify(redocOptions));
  try {
    // Run in dist/, which holds no redocly.yaml: a config file would bring its own theme and options.
    await run(process.execPath, args, {
      cwd: distDir,
      env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
      maxBuffer: 16 * 1024 * 1024,
    });
  } catch (error) {
    // The CLI's own output says what is wrong with the spec; show it only when it failed.
    throw new Error(`redocly build-docs failed for ${slug}:\n${error.stdout ?? ''}${error.stderr ?? error.message}`);
  } finally {
    rmSync(dirname(renderedSpec), { recursive: true, force: true });
  }

  const html = readFileSync(output, 'utf8').replace(REDOC_LOGO_URL, INLINE_LOGO);
  for (const { pattern, what } of REMOTE_LOADS) {
    if (pattern.test(html)) throw new Error(`${file} is not standalone: it holds ${what} (${html.match(pattern)[0]})`);
  }
  writeFileSync(output, html);
  return { slug, title: String(info.title), version: String(info.version), file };
}

const escapeHtml = (text) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);

function renderIndex(apis) {
  const items = apis
    .map(
      (api) => `      <li>
        <a href="${DOCS_BASE}/${encodeURIComponent(api.slug)}">${escapeHtml(api.title)}</a>
        <span class="version">${escapeHtml(api.version)}</span>
        <code>${escapeHtml(api.slug)}</code>
      </li>`,
    )
    .join('\n');
  return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'">
  <title>API documentation</title>
  <style>
    body { margin: 0 auto; max-width: 44rem; padding: 3rem 1.5rem; color: #1f2328; background: #fff;
      font: 16px/1.5 system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif; }
    h1 { font-size: 1.75rem; margin: 0 0 0.25rem; }
    p { color: #59636e; margin: 0 0 2rem; }
    ul { list-style: none; margin: 0; padding: 0; }
    li { display: flex; align-items: baseline; gap: 0.75rem; padding: 0.9rem 0; border-top: 1px solid #d1d9e0; }
    li:last-child { border-bottom: 1px solid #d1d9e0; }
    a { color: #0550ae; font-weight: 600; text-decoration: none; }
    a:hover { text-decoration: underline; }
    .version { color: #59636e; font-size: 0.875rem; }
    code { margin-left: auto; color: #59636e; font: 0.8125rem ui-monospace, Menlo, Consolas, monospace; }
  </style>
</head>
<body>
  <main>
    <h1>API documentation</h1>
    <p>Reference for each image-generation API, rendered from its OpenAPI contract.</p>
    <ul>
${items}
    </ul>
  </main>
</body>
</html>
`;
}

const started = performance.now();
const slugs = listSlugs();
if (slugs.length === 0) throw new Error(`No spec/<slug>/openapi.yaml found under ${specDir}`);

// Start clean so a removed spec leaves no stale page behind.
rmSync(distDir, { recursive: true, force: true });
mkdirSync(distDir, { recursive: true });

const apis = await Promise.all(slugs.map(renderApi));
writeFileSync(join(distDir, 'index.html'), renderIndex(apis));
writeFileSync(join(distDir, 'manifest.json'), `${JSON.stringify(apis, null, 2)}\n`);

for (const api of apis) console.log(`docs: ${api.slug} -> dist/${api.file} (${api.title} ${api.version})`);
console.log(`docs: ${apis.length} API(s), index.html and manifest.json in ${Math.round(performance.now() - started)} ms`);
