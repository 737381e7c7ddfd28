// Finds the Chromium the browser tests drive, and installs Debian's package when there is none and
// this machine allows it, so the README's test command is the only set-up a fresh machine needs.
//
//   node scripts/ensure-chromium.mjs     run by the root `test` script before turbo
//
// One module for everyone: the tests that launch Chromium import findChromium() from here, so the
// places looked at, and the command a person is told to run, are the same everywhere.
import { spawnSync } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import process from 'node:process';
import { pathToFileURL } from 'node:url';

/** Where Chromium or Chrome usually lives, in the order tried after `CHROMIUM_PATH`. */
export const CHROMIUM_CANDIDATES = [
  '/usr/bin/chromium', // Debian's `chromium` package
  '/usr/bin/chromium-browser', // Ubuntu, older Debian
  '/snap/bin/chromium',
  '/usr/bin/google-chrome-stable',
  '/usr/bin/google-chrome',
  '/opt/google/chrome/chrome',
  '/Applications/Chromium.app/Contents/MacOS/Chromium',
  '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
];

/** Debian's package, without the recommended extras a headless test never uses. */
const APT_PACKAGE = 'chromium';

/** The command a person runs when this script may not run it itself. */
export function installCommand({ root = false } = {}) {
  const sudo = root ? '' : 'sudo ';
  return `${sudo}apt-get update && ${sudo}apt-get install -y --no-install-recommends ${APT_PACKAGE}`;
}

function isExecutableFile(path) {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function onPath(command, env) {
  return (env.PATH ?? '').split(delimiter).some((dir) => dir !== '' && isExecutableFile(join(dir, command)));
}

function runCommand(command, args, { env, quiet }) {
  const result = spawnSync(command, args, { env, stdio: quiet ? 'ignore' : 'inherit' });
  return result.error ? 127 : (result.status ?? 1);
}

/**
 * The Chromium to use: `CHROMIUM_PATH` when set (an error when it names no executable, rather than
 * quietly testing with another browser), else the first of `candidates` that is an executable file.
 * Undefined when there is none.
 */
export function findChromium({ env = process.env, candidates = CHROMIUM_CANDIDATES, isExecutable = isExecutableFile } = {}) {
  const chosen = env.CHROMIUM_PATH;
  if (chosen) {
    if (!isExecutable(chosen)) throw new Error(`CHROMIUM_PATH=${chosen} is not an executable file; unset it to search ${candidates.join(', ')}`);
    return chosen;
  }
  return candidates.find((candidate) => isExecutable(candidate));
}

/** What to tell a person when there is no Chromium and this script cannot install one. */
export function missingChromiumMessage({ candidates = CHROMIUM_CANDIDATES, apt = true, root = false } = {}) {
  const how = apt
    ? `Install it with:\n\n  ${installCommand({ root })}\n\nor set CHROMIUM_PATH to a Chromium or Chrome binary.`
    : 'Install Chromium or Google Chrome, and set CHROMIUM_PATH to its binary if it is not in one of those places.';
  return `Chromium is needed by the browser tests and was not found (looked at CHROMIUM_PATH, ${candidates.join(', ')}).\n${how}`;
}

/**
 * Returns the Chromium to use. When there is none, installs Debian's `chromium` package if this
 * machine has apt-get and the user is root or has passwordless sudo, saying so; otherwise fails at
 * once with the command to run. Every effect is injectable so the decision can be tested without
 * touching the machine.
 */
export function ensureChromium({
  env = process.env,
  candidates = CHROMIUM_CANDIDATES,
  isExecutable = isExecutableFile,
  hasCommand = (command) => onPath(command, env),
  run = (command, args, options = {}) => runCommand(command, args, { env: options.env ?? env, quiet: options.quiet ?? false }),
  uid = process.getuid?.() ?? -1,
  log = (line) => console.log(line),
} = {}) {
  const found = findChromium({ env, candidates, isExecutable });
  if (found) return found;

  const apt = hasCommand('apt-get');
  const root = uid === 0;
  // -n: fail instead of asking for a password, so a locked-down machine fails in seconds.
  const sudo = !root && apt && hasCommand('sudo') && run('sudo', ['-n', 'true'], { quiet: true }) === 0;
  if (!apt || (!root && !sudo)) throw new Error(missingChromiumMessage({ candidates, apt, root }));

  const prefix = root ? [] : ['sudo', '-n'];
  const [command, ...leading] = [...prefix, 'apt-get'];
  log(`Chromium not found: installing Debian's ${APT_PACKAGE} package for the browser tests (${installCommand({ root })})`);
  const aptEnv = { ...env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [['update', '-qq'], ['install', '-y', '-qq', '--no-install-recommends', APT_PACKAGE]]) {
    const code = run(command, [...leading, ...args], { env: aptEnv });
    if (code !== 0) throw new Error(`\`${[command, ...leading, ...args].join(' ')}\` failed (exit ${code}).\n${missingChromiumMessage({ candidates, apt, root })}`);
  }
  const installed = findChromium({ env, candidates, isExecutable });
  if (!installed) throw new Error(`apt-get installed ${APT_PACKAGE}, yet no Chromium is at ${candidates.join(', ')}; set CHROMIUM_PATH to its binary`);
  log(`Chromium installed: ${installed}`);
  return installed;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    ensureChromium();
  } catch (error) {
    console.error(`\n${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
}
