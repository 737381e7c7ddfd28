import type { ScenarioResult } from './run-scenario.js';
import { scoreOf } from './run-suite.js';

const MARK = { pass: 'PASS', fail: 'FAIL', skip: 'SKIP', error: 'ERROR' } as const;

/** One line per scenario: verdict, vendor, id, and why it failed or was skipped. */
export function resultLine(result: ScenarioResult): string {
  const head = `${MARK[result.verdict].padEnd(5)} ${result.vendor.padEnd(12)} ${result.scenario}`;
  if (result.verdict === 'pass') return `${head} (${(result.durationMs / 1000).toFixed(1)} s)`;
  return `${head}: ${result.reasons.join('; ')}`;
}

export function scoreLine(results: readonly ScenarioResult[], subject: string): string {
  const score = scoreOf(results);
  const failed = results.filter((result) => result.verdict === 'fail' || result.verdict === 'error').length;
  const skipped = results.filter((result) => result.verdict === 'skip').length;
  return `score ${score.text} for ${subject} (${failed} failed, ${skipped} not applicable)`;
}

/** The results as JSON: the score and every result, with the requests the mock saw. */
export function toJson(results: readonly ScenarioResult[], subject: string): string {
  return JSON.stringify({ subject, score: scoreOf(results), results }, null, 2);
}

/** The results as a JUnit XML report, one test case per scenario and vendor. */
export function toJUnit(results: readonly ScenarioResult[], subject: string): string {
  const failures = results.filter((result) => result.verdict === 'fail').length;
  const errors = results.filter((result) => result.verdict === 'error').length;
  const skipped = results.filter((result) => result.verdict === 'skip').length;
  const seconds = results.reduce((sum, result) => sum + result.durationMs, 0) / 1000;
  const cases = results.map((result) => {
    const open = `    <testcase classname="${xml(`${subject}.${result.vendor}`)}" name="${xml(`${result.scenario}: ${result.title}`)}" time="${(result.durationMs / 1000).toFixed(3)}"`;
    const text = xml(result.reasons.join('\n'));
    if (result.verdict === 'pass') return `${open}/>`;
    if (result.verdict === 'skip') return `${open}>\n      <skipped message="${text}"/>\n    </testcase>`;
    const tag = result.verdict === 'fail' ? 'failure' : 'error';
    return `${open}>\n      <${tag} message="${text}">${text}${result.message ? `\n\n${xml(result.message)}` : ''}</${tag}>\n    </testcase>`;
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="imagegen-conformance" tests="${results.length}" failures="${failures}" errors="${errors}" skipped="${skipped}" time="${seconds.toFixed(3)}">`,
    `  <testsuite name="${xml(subject)}" tests="${results.length}" failures="${failures}" errors="${errors}" skipped="${skipped}" time="${seconds.toFixed(3)}">`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}

function xml(text: string): string {
  // Characters XML 1.0 cannot carry at all (a client may print control bytes) are dropped.
  // eslint-disable-next-line no-control-regex
  return text.replace(/[^\x09\x0a\x0d\x20-\ud7ff\ue000-\ufffd]/gu, '').replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
