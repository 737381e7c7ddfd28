// Issue 6 rows 7 and 13: the CLI refuses a mistake before it listens, with one line saying what is
// wrong (followed by the usage line when the mistake is in the command line), and exit code 1.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

async function run(args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, [cli, ...args], { env: { ...process.env, PORT: '0', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  clearTimeout(timer);
  return { code, stdout, lines: stderr.trimEnd().split('\n') };
}

describe('command-line mistakes: the error, then the usage line', () => {
  it.each([
    { args: ['--port', ''], error: "--port must be a decimal port number from 0 to 65535, got ''" },
    { args: ['--port', '0x10F8'], error: "--port must be a decimal port number from 0 to 65535, got '0x10F8'" },
    { args: ['--port', '1e3'], error: "--port must be a decimal port number from 0 to 65535, got '1e3'" },
    { args: ['--port', '65536'], error: "--port must be a decimal port number from 0 to 65535, got '65536'" },
    { args: ['--port', ' 80'], error: "--port must be a decimal port number from 0 to 65535, got ' 80'" },
    { args: [], env: { PORT: '' }, error: "PORT must be a decimal port number from 0 to 65535, got ''" },
    { args: [], env: { PORT: '4e3' }, error: "PORT must be a decimal port number from 0 to 65535, got '4e3'" },
    { args: ['--bogus'], error: "Unknown option '--bogus'" },
    { args: ['--port'], error: "Option '--port <value>' argument missing" },
    { args: ['serve'], error: "Unexpected argument 'serve'" },
    { args: ['--timing', 'sometimes'], error: '--timing must be instant or realistic, got sometimes' },
    // Issue 15 row 11: parseArgs answered this in three lines about ambiguity.
    { args: ['--port', '-1'], error: "--port must be a decimal port number from 0 to 65535, got '-1'" },
  ])('$args $env', async ({ args, env, error }) => {
    const { code, stdout, lines } = await run(args, env);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toContain(`imagegen-mock: ${error}`);
    expect(lines[1]).toMatch(/^Usage: imagegen-mock \[--port 4010\]/);
  });
});

describe('a broken config stops start-up with one line naming the setting', () => {
  it.each([
    { config: { apis: { lumixai: { keys: 'notarray' } } }, line: 'apis.lumixai.keys: must be an array, got "notarray"' },
    { config: { apis: { lumixai: { keys: [] } } }, line: 'apis.lumixai.keys: must NOT have fewer than 1 items' },
    { config: { apis: { lumixai: { keys: [{ key: 'k', models: 'flux-kontext' }] } } }, line: 'apis.lumixai.keys[0].models: must be an array, got "flux-kontext"' },
    { config: { apis: { lumixai: { keys: [{ key: 'k', rpm: 'ten' }] } } }, line: 'apis.lumixai.keys[0].rpm: must be an integer, got "ten"' },
    { config: { jobRetentionMs: -5 }, line: 'jobRetentionMs: must be >= 0' },
    { config: { timing: { queuedMs: 1 } }, line: "timing: must have required property 'runningMs'" },
    { config: { webhooks: { maxAttempts: 0 } }, line: 'webhooks.maxAttempts: must be >= 1' },
    { config: { apis: { lumixai: 'on' } }, line: 'apis.lumixai: must be false or an object, got "on"' },
    { config: { retention: 5 }, line: '(config): unknown setting "retention"; known: $schema, timing,' },
  ])('$line', async ({ config, line }) => {
    const { code, stdout, lines } = await run([], { IMAGEGEN_MOCK_CONFIG_JSON: JSON.stringify(config) });
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`imagegen-mock: Mock server config IMAGEGEN_MOCK_CONFIG_JSON: ${line}`);
  });
});

// Issue 15 row 11: each of these started and listened, and then failed on every call (or never).
describe('a config that cannot work stops start-up with one line saying why', () => {
  it.each([
    {
      name: 'the same key in two APIs',
      config: { apis: { lumixai: { keys: [{ key: 'shared' }] }, lumozai: { keys: [{ key: 'shared' }] } } },
      line: 'apis.lumozai.keys[0]: key "shared" is also apis.lumixai.keys[0]; a key belongs to one API',
    },
    {
      name: 'a key listed twice in one API',
      config: { apis: { lumixai: { keys: [{ key: 'k' }, { key: 'k', rpm: 2 }] } } },
      line: 'apis.lumixai.keys[1]: key "k" is listed twice (also apis.lumixai.keys[0]); list each key once',
    },
    {
      name: 'a workspace listed twice',
      config: { apis: { lumen: { keys: [{ key: 'sk-lumen-k', workspace: 'w' }], workspaces: [{ id: 'w', credits: 1 }, { id: 'w', credits: 2 }] } } },
      line: 'apis.lumen.workspaces[1]: workspace "w" is listed twice (also workspaces[0]); list each once',
    },
    {
      name: 'a key scoped to a model the API does not have',
      config: { apis: { lumixai: { keys: [{ key: 'k', models: ['imagen-nano-banana-2-flash', 'no-such-model'] }] } } },
      line: 'apis.lumixai.keys[0].models names models lumixai does not have: no-such-model; it has imagen-nano-banana-2-flash,',
    },
    {
      name: 'a LumozAI key scoped to an unknown model',
      config: { apis: { lumozai: { keys: [{ key: 'k', models: ['hidream-l2'] }] } } },
      line: 'apis.lumozai.keys[0].models names models lumozai does not have: hidream-l2; it has ',
    },
    {
      name: 'a useapi.net token whose workspace has no account',
      config: { apis: { 'useapi-luma': { keys: [{ key: 't', workspace: 'team' }], accounts: [{ email: 'a@example.com', workspace: 'other' }] } } },
      line: 'apis.useapi-luma.keys[0]: its workspace "team" has no Luma account; add one to apis.useapi-luma.accounts',
    },
    { name: 'a body limit of nothing', config: { bodyLimit: '0kb' }, line: `bodyLimit must be at least 1 byte (e.g. '25mb'), got "0kb": it would refuse every request body` },
    { name: 'webhooks.ca that is not PEM', config: { webhooks: { ca: 'my-ca.pem' } }, line: 'webhooks.ca must be PEM certificates (-----BEGIN CERTIFICATE----- ...), got "my-ca.pem"' },
    {
      name: 'both config variables',
      config: {},
      env: { IMAGEGEN_MOCK_CONFIG: '/nonexistent.json' },
      line: 'IMAGEGEN_MOCK_CONFIG and IMAGEGEN_MOCK_CONFIG_JSON are both set; set one of them',
    },
  ])('$name', async ({ config, env, line }) => {
    const { code, stdout, lines } = await run([], { IMAGEGEN_MOCK_CONFIG_JSON: JSON.stringify(config), ...env });
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`imagegen-mock: ${line}`);
  });
});
