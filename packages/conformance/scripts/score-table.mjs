// Runs every published subject against the built-in scenarios and prints the README's score table
// (markdown): one row per subject and vendor, one column per scenario. `node scripts/score-table.mjs`
// after `pnpm build`; takes a few minutes (real time: the clients really wait).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { PROVIDERS } from '@imagegen/ai-sdk';

import { BUILT_IN_SCENARIOS, VENDOR_SLUGS, commandSubject, loadScenarioDir, moduleSubject, runSuite, scoreOf } from '../dist/index.js';

const here = (path) => fileURLToPath(new URL(`../${path}`, import.meta.url));
const { hasJobInterface } = await import(here('adapters/project-clients.mjs'));
const via = (await hasJobInterface({ vendor: VENDOR_SLUGS[0], baseUrl: 'http://127.0.0.1:1/x', apiKey: 'k' })) ? 'client.jobs.generate' : 'one-call methods';
const node = `"${process.execPath}"`;
const SUBJECTS = [
  // Every vendor the mock serves, in its registry's order; the AI SDK's where it has a provider, the
  // curl sequence where adapters/curl/<slug>.sh exists.
  { name: `project clients (${via})`, vendors: VENDOR_SLUGS, subject: await moduleSubject(here('adapters/project-clients.mjs')) },
  { name: 'AI SDK providers (generateImage)', vendors: VENDOR_SLUGS.filter((vendor) => vendor in PROVIDERS), subject: await moduleSubject(here('adapters/ai-sdk.mjs')) },
  ...VENDOR_SLUGS.filter((vendor) => existsSync(here(`adapters/curl/${vendor}.sh`))).map((vendor) => ({
    name: 'curl sequence (page commands)',
    vendors: [vendor],
    subject: commandSubject(`sh "${here(`adapters/curl/${vendor}.sh`)}"`),
  })),
  { name: 'LumixAI Node loop (page)', vendors: ['lumixai'], subject: commandSubject(`${node} "${here('adapters/lumixai-node-loop.mjs')}"`) },
  { name: 'useapi.net JavaScript poll (page)', vendors: ['useapi-luma'], subject: commandSubject(`${node} "${here('adapters/useapi-luma-page.mjs')}"`) },
  { name: 'useapi.net Python poll (page)', vendors: ['useapi-luma'], subject: commandSubject(`python3 "${here('adapters/useapi-luma-page.py')}"`) },
  { name: 'naive client (test/naive-client.mjs)', vendors: ['lumixai'], subject: commandSubject(`${node} "${here('test/naive-client.mjs')}"`) },
];

const all = await loadScenarioDir(fileURLToPath(BUILT_IN_SCENARIOS));
const scenarios = all.filter((scenario) => scenario.deliveries === undefined);
const RECEIVERS = [
  { name: "project receiver (verifyLumenWebhook + seen ids)", command: `${node} "${here('adapters/lumen-receiver.mjs')}"` },
  { name: "Lumen page's Python verify()", command: `python3 "${here('adapters/lumen-page-verify.py')}"` },
  { name: 'naive receiver (test/naive-receiver.mjs)', command: `${node} "${here('test/naive-receiver.mjs')}"` },
];
const MARK = { pass: 'pass', fail: '**FAIL**', error: 'error', skip: 'n/a' };
console.log(`| subject | vendor | ${scenarios.map((s) => s.id).join(' | ')} | score |`);
console.log(`|---|---|${scenarios.map(() => '---').join('|')}|---|`);
const notes = [];
for (const { name, vendors, subject } of SUBJECTS) {
  for (const vendor of vendors) {
    const results = await runSuite({ scenarios, vendors: [vendor], subject, concurrency: 5, onResult: (r) => console.error(`${name} ${vendor} ${r.scenario} ${r.verdict}`) });
    console.log(`| ${name} | ${vendor} | ${results.map((r) => MARK[r.verdict]).join(' | ')} | ${scoreOf(results).text} |`);
    for (const r of results) if (r.verdict === 'fail' || r.verdict === 'error') notes.push(`- ${name}, ${vendor}, ${r.scenario}: ${r.reasons.join('; ')}`);
  }
}
const webhookScenarios = all.filter((scenario) => scenario.deliveries !== undefined);
console.log(`\n| receiver | vendor | ${webhookScenarios.map((s) => s.id).join(' | ')} |`);
console.log(`|---|---|${webhookScenarios.map(() => '---').join('|')}|`);
for (const receiver of RECEIVERS) {
  const results = await runSuite({ scenarios: webhookScenarios, vendors: ['lumen'], receiver });
  console.log(`| ${receiver.name} | lumen | ${results.map((r) => MARK[r.verdict]).join(' | ')} |`);
  for (const r of results) if (r.verdict === 'fail' || r.verdict === 'error') notes.push(`- ${receiver.name}, lumen, ${r.scenario}: ${r.reasons.join('; ')}`);
}
console.log('\n' + notes.join('\n'));
