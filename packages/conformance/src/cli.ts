#!/usr/bin/env node
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { resultLine, scoreLine, toJUnit, toJson } from './report.js';
import { runSuite } from './run-suite.js';
import { BUILT_IN_SCENARIOS, ScenarioError, loadScenarioDir } from './scenario.js';
import type { Scenario } from './scenario.js';
import { stopGroupsOnSignals } from './process-groups.js';
import { commandSubject, moduleSubject } from './subject.js';
import { VENDOR_SLUGS, isVendorSlug } from './vendors.js';
import type { VendorSlug } from './vendors.js';

const HELP = `imagegen-conformance: runs a client of an image-generation API against the mock with faults
armed, and scores it from the mock's ledger and request log.

  imagegen-conformance --vendor lumixai --client "python3 my_client.py"
  imagegen-conformance --vendor lumixai --module ./my-client.mjs --junit report.xml

The client runs once per scenario with IMAGEGEN_VENDOR, IMAGEGEN_BASE_URL, IMAGEGEN_API_KEY,
IMAGEGEN_PROMPT, IMAGEGEN_OUTPUT (the image file to write) and IMAGEGEN_TIMEOUT_MS; exit 0 means it
claims success. A module exports one async function taking those as { vendor, baseUrl, apiKey,
prompt, output, timeoutMs }: it resolves for success and throws for failure.

  --vendor <slug>       a vendor to test (repeatable; default: all: ${VENDOR_SLUGS.join(', ')})
  --client "<command>"  the client under test, run with sh -c
  --module <path>       or: a Node module exporting the client function
  --receiver "<command>"  a webhook receiver, for the webhook scenarios: it listens on 127.0.0.1
                        (port 0), prints IMAGEGEN_WEBHOOK_URL=<url>, verifies with
                        IMAGEGEN_WEBHOOK_SECRET and appends each job it processes to IMAGEGEN_OUTPUT
  --scenario <id>       only these scenarios (repeatable; default: all)
  --scenarios <dir>     also load the scenario files (.json, .yaml) of this folder (repeatable)
  --only-scenarios      load no built-in scenarios, only --scenarios folders
  --concurrency <n>     scenarios run at once, each on its own mock (default: 4)
  --json                print the results as JSON on stdout, and nothing else (the lines, and
                        whatever a --module prints, go to stderr)
  --junit <file>        also write a JUnit XML report
  --list                list the scenarios and exit
Exit status: 0 when every applicable scenario passed, 1 when one failed, 2 for a usage error;
stopped by SIGINT, SIGTERM or SIGHUP it first stops every client and receiver it started, then
exits 128 + the signal's number.`;

async function main(argv: string[]): Promise<number> {
  let args;
  try {
    args = parseArgs({
      args: argv,
      options: {
        vendor: { type: 'string', multiple: true },
        client: { type: 'string' },
        module: { type: 'string' },
        receiver: { type: 'string' },
        scenario: { type: 'string', multiple: true },
        scenarios: { type: 'string', multiple: true },
        'only-scenarios': { type: 'boolean' },
        concurrency: { type: 'string' },
        json: { type: 'boolean' },
        junit: { type: 'string' },
        list: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }).values;
  } catch (error) {
    return usage((error as Error).message);
  }
  if (args.help) {
    console.log(HELP);
    return 0;
  }
  const vendors = (args.vendor ?? [...VENDOR_SLUGS]) as string[];
  const unknown = vendors.filter((vendor) => !isVendorSlug(vendor));
  if (unknown.length > 0) return usage(`--vendor ${unknown.join(', ')}: not a vendor; use one of ${VENDOR_SLUGS.join(', ')}`);
  let scenarios: Scenario[] = [];
  try {
    const dirs = [...(args['only-scenarios'] ? [] : [fileURLToPath(BUILT_IN_SCENARIOS)]), ...(args.scenarios ?? [])];
    for (const dir of dirs) scenarios.push(...(await loadScenarioDir(dir)));
  } catch (error) {
    if (error instanceof ScenarioError) return usage(`scenario refused: ${error.message}`);
    return usage((error as Error).message);
  }
  const ids = new Map<string, string>();
  for (const scenario of scenarios) {
    const other = ids.get(scenario.id);
    if (other) return usage(`scenario refused: ${scenario.file}: id "${scenario.id}" is already used by ${other}`);
    ids.set(scenario.id, scenario.file);
  }
  if (args.scenario) {
    const missing = args.scenario.filter((id) => !ids.has(id));
    if (missing.length > 0) return usage(`--scenario ${missing.join(', ')}: no such scenario; known: ${[...ids.keys()].join(', ')}`);
    scenarios = scenarios.filter((scenario) => args.scenario!.includes(scenario.id));
  }
  if (args.list) {
    for (const scenario of scenarios) console.log(`${scenario.id.padEnd(28)} ${scenario.title}  (${scenario.file})`);
    return 0;
  }
  if (args.client !== undefined && args.module !== undefined) return usage('give --client or --module, not both');
  if (args.client === undefined && args.module === undefined && args.receiver === undefined) {
    return usage('give the client under test: --client "<command>" or --module <path> (or a webhook receiver: --receiver "<command>")');
  }
  const concurrency = args.concurrency === undefined ? 4 : Number(args.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 32) return usage('--concurrency: a whole number from 1 to 32');
  let subject;
  try {
    if (args.client !== undefined) subject = commandSubject(args.client);
    else if (args.module !== undefined) subject = await moduleSubject(args.module);
  } catch (error) {
    return usage(`--module ${args.module}: ${(error as Error).message}`);
  }
  const receiver = args.receiver === undefined ? undefined : { name: args.receiver, command: args.receiver };
  const name = subject?.name ?? receiver!.name;
  const out = args.json ? (line: string) => console.error(line) : (line: string) => console.log(line);
  // With --json, stdout carries the JSON document only: a module under test runs in this process,
  // and what it (or a library it uses, such as the AI SDK's warnings) prints goes to stderr.
  const writeStdout = process.stdout.write.bind(process.stdout);
  if (args.json) process.stdout.write = process.stderr.write.bind(process.stderr) as typeof process.stdout.write;
  const results = await runSuite({
    scenarios,
    vendors: vendors as VendorSlug[],
    ...(subject ? { subject } : {}),
    ...(receiver ? { receiver } : {}),
    concurrency,
    onResult: (result) => out(resultLine(result)),
  });
  out(scoreLine(results, name));
  if (args.json) writeStdout(`${toJson(results, name)}\n`);
  if (args.junit) await writeFile(args.junit, toJUnit(results, name));
  return results.some((result) => result.verdict === 'fail' || result.verdict === 'error') ? 1 : 0;
}

function usage(message: string): number {
  console.error(`imagegen-conformance: ${message}\n(--help lists the options)`);
  return 2;
}

stopGroupsOnSignals();
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error('imagegen-conformance: failed:', error);
    process.exitCode = 1;
  },
);
