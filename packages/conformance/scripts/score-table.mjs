// Runs every published subject against the built-in scenarios and prints the README's score table
// (markdown): one row per subject and vendor, one column per scenario. `node scripts/score-table.mjs`
// after `pnpm build`; takes a few minutes (real time: the clients really wait).
import { fileURLToPath } from 'node:url';

import { BUILT_IN_SCENARIOS, commandSubject, loadScenarioDir, moduleSubject, runSuite, scoreOf } from '../dist/index.js';

const here = (path) => fileURLToPath(new URL(`../${path}`, import.meta.url));
const { hasJobInterface } = await import(here('adapters/project-clients.mjs'));
const via = hasJobInterface({ vendor: 'lumixai', baseUrl: 'http://127.0.0.1:1/x', apiKey: 'k' }) ? 'client.jobs.generate' : 'one-call methods';
const node = `"${process.execPath}"`;
const SUBJECTS = [
  { name: `project clients (${via})`, vendors: ['lumixai', 'lumen', 'luma-agents', 'useapi-luma', 'lumozai'], subject: await moduleSubject(here('adapters/project-clients.mjs')) },
  { name: 'AI SDK providers (generateImage)', vendors: ['lumixai', 'lumen', 'luma-agents', 'useapi-luma', 'lumozai'], subject: await moduleSubject(here('adapters/ai-sdk.mjs')) },
  ...['lumixai', 'lumen', 'luma-agents', 'useapi-luma', 'lumozai'].map((vendor) => ({
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
