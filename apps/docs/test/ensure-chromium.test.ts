// The Chromium finder and installer the root `test` script runs before turbo, driven with fake
// paths and commands: no test here installs anything or depends on what this machine has.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterAll, describe, expect, it } from 'vitest';

import { CHROMIUM_CANDIDATES, ensureChromium, findChromium, installCommand } from '../../../scripts/ensure-chromium.mjs';

const script = fileURLToPath(new URL('../../../scripts/ensure-chromium.mjs', import.meta.url));
const nowhere = mkdtempSync(join(tmpdir(), 'no-chromium-'));
afterAll(() => rmSync(nowhere, { recursive: true, force: true }));
/** Candidates that exist nowhere on any machine: the real "missing" path. */
const absent = [join(nowhere, 'chromium'), join(nowhere, 'google-chrome')];
const candidates = ['/fake/chromium', '/fake/chrome'];

interface Machine {
  /** Executable files that exist before any install. */
  present?: string[];
  env?: Record<string, string>;
  uid?: number;
  commands?: string[];
  /** Exit code of `sudo -n true`: 0 is passwordless sudo. */
  sudoNoPassword?: number;
  /** Exit code of the apt-get install step. */
  aptInstall?: number;
  /** What the package puts on disk. */
  installs?: string;
}

/** A fake machine: records every command and log line, and gains `installs` once apt-get install succeeds. */
function machine(m: Machine) {
  const files = new Set(m.present ?? []);
  const ran: string[] = [];
  const logged: string[] = [];
  let aptEnv: Record<string, string | undefined> | undefined;
  const options = {
    env: m.env ?? {},
    candidates,
    isExecutable: (path: string) => files.has(path),
    hasCommand: (command: string) => (m.commands ?? ['apt-get', 'sudo']).includes(command),
    uid: m.uid ?? 1000,
    log: (line: string) => logged.push(line),
    run(command: string, args: string[], runOptions?: { env?: Record<string, string | undefined> }) {
      const line = [command, ...args].join(' ');
      ran.push(line);
      if (line === 'sudo -n true') return m.sudoNoPassword ?? 1;
      if (line.includes('apt-get install')) {
        aptEnv = runOptions?.env;
        const code = m.aptInstall ?? 0;
        if (code === 0) files.add(m.installs ?? '/fake/chromium');
        return code;
      }
      return 0;
    },
  };
  return { options, ran, logged, aptEnv: () => aptEnv };
}

describe('findChromium', () => {
  it.each([
    ['CHROMIUM_PATH first, even when a usual path exists', { present: ['/opt/mine', '/fake/chromium'], env: { CHROMIUM_PATH: '/opt/mine' } }, '/opt/mine'],
    ['the first usual path that exists', { present: ['/fake/chrome'] }, '/fake/chrome'],
    ['the earlier of two usual paths', { present: ['/fake/chrome', '/fake/chromium'] }, '/fake/chromium'],
    ['nothing when no path exists', {}, undefined],
  ])('%s', (_name, m: Machine, expected) => {
    expect(findChromium(machine(m).options)).toBe(expected);
  });

  it('refuses a CHROMIUM_PATH that names no executable instead of using another browser', () => {
    expect(() => findChromium(machine({ present: ['/fake/chromium'], env: { CHROMIUM_PATH: '/opt/typo' } }).options)).toThrow(/CHROMIUM_PATH=\/opt\/typo is not an executable/);
  });

  it('finds nothing at candidates that do not exist on this machine (the real file check)', () => {
    expect(findChromium({ env: {}, candidates: absent })).toBeUndefined();
  });

  it('looks at the Debian path first', () => {
    expect(CHROMIUM_CANDIDATES[0]).toBe('/usr/bin/chromium');
  });
});

describe('ensureChromium', () => {
  it('returns a Chromium that is there without running anything', () => {
    const m = machine({ present: ['/fake/chrome'], uid: 0 });
    expect(ensureChromium(m.options)).toBe('/fake/chrome');
    expect(m.ran).toEqual([]);
    expect(m.logged).toEqual([]);
  });

  it.each([
    ['as root', { uid: 0 }, ['apt-get update -qq', 'apt-get install -y -qq --no-install-recommends chromium']],
    ['with passwordless sudo', { sudoNoPassword: 0 }, ['sudo -n true', 'sudo -n apt-get update -qq', 'sudo -n apt-get install -y -qq --no-install-recommends chromium']],
  ])('installs Debian\'s chromium %s, says so, and returns it', (_name, m: Machine, commands) => {
    const fake = machine(m);
    expect(ensureChromium(fake.options)).toBe('/fake/chromium');
    expect(fake.ran).toEqual(commands);
    expect(fake.aptEnv()).toMatchObject({ DEBIAN_FRONTEND: 'noninteractive' });
    expect(fake.logged[0]).toMatch(/Chromium not found: installing Debian's chromium package/);
    expect(fake.logged.at(-1)).toBe('Chromium installed: /fake/chromium');
  });

  it.each([
    ['without root and sudo asks for a password', { sudoNoPassword: 1 }, ['sudo -n true'], 'sudo apt-get update && sudo apt-get install -y --no-install-recommends chromium'],
    ['without root and without sudo', { commands: ['apt-get'] }, [], 'sudo apt-get update && sudo apt-get install -y --no-install-recommends chromium'],
    ['without apt-get (not Debian)', { uid: 0, commands: [] }, [], 'Install Chromium or Google Chrome'],
  ])('fails at once %s, naming what to run', (_name, m: Machine, commands, advice) => {
    const fake = machine(m);
    expect(() => ensureChromium(fake.options)).toThrow(advice);
    expect(fake.ran).toEqual(commands);
  });

  it('fails with the command and the advice when apt-get install fails', () => {
    const fake = machine({ uid: 0, aptInstall: 100 });
    expect(() => ensureChromium(fake.options)).toThrow(/`apt-get install -y -qq --no-install-recommends chromium` failed \(exit 100\)[\s\S]*apt-get update && apt-get install/);
  });

  it('fails when the package put no binary where it is looked for', () => {
    const fake = machine({ uid: 0, installs: '/usr/lib/elsewhere' });
    expect(() => ensureChromium(fake.options)).toThrow(/no Chromium is at/);
  });

  it('on the real file system, with no Chromium at the candidates and no way to install, fails within seconds', () => {
    const started = performance.now();
    expect(() => ensureChromium({ env: {}, candidates: absent, hasCommand: () => false, uid: 1000, log: () => {} })).toThrow(absent[0]);
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it.each([
    ['root', true, 'apt-get update && apt-get install -y --no-install-recommends chromium'],
    ['a user', false, 'sudo apt-get update && sudo apt-get install -y --no-install-recommends chromium'],
  ])('tells %s the exact command', (_name, root, command) => {
    expect(installCommand({ root })).toBe(command);
  });
});

describe('node scripts/ensure-chromium.mjs', () => {
  it('exits 1 within seconds naming a CHROMIUM_PATH that is not there, and installs nothing', () => {
    const started = performance.now();
    const result = spawnSync(process.execPath, [script], { env: { ...process.env, CHROMIUM_PATH: absent[0] }, encoding: 'utf8', timeout: 10_000 });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`CHROMIUM_PATH=${absent[0]} is not an executable file`);
    expect(result.stdout).not.toMatch(/installing/);
    expect(performance.now() - started).toBeLessThan(5_000);
  });
});
