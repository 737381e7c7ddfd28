import { readFileSync } from 'node:fs';

import { describe, expect, it } from 'vitest';

import { SUPPORTED_NODE, satisfiesNodeRange, unsupportedNodeMessage } from '../src/node-support.js';

const engines = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { engines: { node: string } }).engines.node;

describe('the supported Node versions', () => {
  it("are the package's engines field, read rather than copied", () => {
    expect(SUPPORTED_NODE).toBe(engines);
  });

  it.each([
    ['20.19.0', true],
    ['v20.20.2', true],
    ['22.12.0', true],
    ['24.1.0', true],
    ['20.18.3', false],
    ['20.10.0', false], // dies on node:zlib's missing crc32 without the check
    ['18.20.4', false],
    ['21.7.3', false],
    ['22.11.0', false],
    ['not a version', false],
  ] as const)('%s in "^20.19.0 || >=22.12.0": %s', (version, expected) => {
    expect(satisfiesNodeRange(version, '^20.19.0 || >=22.12.0')).toBe(expected);
  });

  it.each([
    ['>=18 <20', '19.1.0', true],
    ['>=18 <20', '20.0.0', false],
    ['>20.1.0', '20.1.0', false],
    ['<=20.1.0', '20.1.0', true],
    ['20.1.0', '20.1.0', true],
  ] as const)('reads the comparators of %s (%s: %s)', (range, version, expected) => {
    expect(satisfiesNodeRange(version, range)).toBe(expected);
  });

  it('is one line naming the Node needed and the Node running, on an unsupported one; nothing on a supported one', () => {
    expect(unsupportedNodeMessage('18.20.4', '^20.19.0 || >=22.12.0')).toBe(
      '@imagegen/mock-server needs Node ^20.19.0 || >=22.12.0; this is Node 18.20.4. Install a newer Node (e.g. `nvm install 22`) and run it again.',
    );
    expect(unsupportedNodeMessage(process.versions.node)).toBeUndefined();
  });

  it('refuses a range it cannot read instead of guessing', () => {
    expect(() => satisfiesNodeRange('20.19.0', '~20.19')).toThrow(/Unsupported engines.node comparator: ~20.19/);
  });
});
