import { runScenario } from './run-scenario.js';
import type { ScenarioResult } from './run-scenario.js';
import type { Scenario } from './scenario.js';
import { resolveScenario } from './scenario.js';
import type { Subject } from './subject.js';
import { runWebhookScenario } from './webhook-scenario.js';
import type { Receiver } from './webhook-scenario.js';
import type { VendorSlug } from './vendors.js';

export interface SuiteOptions {
  scenarios: readonly Scenario[];
  vendors: readonly VendorSlug[];
  /** The client under test, for job scenarios; without one they are skipped. */
  subject?: Subject;
  /** The webhook receiver under test, for webhook scenarios; without one they are skipped. */
  receiver?: Receiver;
  /** Scenarios run at once, each with its own mock. Default: 4. */
  concurrency?: number;
  /** Told about each result as it is known, in the suite's order. Default: none. */
  onResult?: (result: ScenarioResult) => void;
}

/** Every scenario for every vendor, in order (vendor by vendor); skipped ones are reported as such. */
export async function runSuite(options: SuiteOptions): Promise<ScenarioResult[]> {
  const runs = options.vendors.flatMap((vendor) => options.scenarios.map((scenario) => ({ vendor, scenario })));
  const results: Array<ScenarioResult | undefined> = new Array(runs.length);
  const done: Array<Promise<void>> = [];
  let next = 0;
  let reported = 0;
  const report = () => {
    // The index moves outside the optional call: `f?.(x++)` skips `x++` when there is no `f`.
    while (reported < runs.length && results[reported]) {
      const result = results[reported++]!;
      options.onResult?.(result);
    }
  };
  const worker = async () => {
    while (next < runs.length) {
      const index = next++;
      const { vendor, scenario } = runs[index]!;
      const resolved = resolveScenario(scenario, vendor);
      const webhook = scenario.deliveries !== undefined;
      const name = (webhook ? options.receiver?.name : options.subject?.name) ?? 'none';
      const skip = (reason: string): ScenarioResult => ({ scenario: scenario.id, title: scenario.title, vendor, subject: name, verdict: 'skip', reasons: [reason], durationMs: 0, file: scenario.file });
      if ('skip' in resolved) results[index] = skip(resolved.skip);
      else if (webhook) results[index] = options.receiver ? await runWebhookScenario(resolved, options.receiver) : skip('a webhook scenario: give a receiver (--receiver)');
      else results[index] = options.subject ? await runScenario(resolved, options.subject) : skip('a client scenario: give a client (--client or --module)');
      report();
    }
  };
  for (let i = 0; i < Math.max(1, options.concurrency ?? 4); i++) done.push(worker());
  await Promise.all(done);
  return results as ScenarioResult[];
}

/** Passed out of the scenarios that applied (skipped ones are not counted). */
export function scoreOf(results: readonly ScenarioResult[]): { passed: number; applicable: number; text: string } {
  const applicable = results.filter((result) => result.verdict !== 'skip').length;
  const passed = results.filter((result) => result.verdict === 'pass').length;
  return { passed, applicable, text: `${passed}/${applicable}` };
}
