// Issue 6 row 4: stopping the mock lets the requests it is answering finish (within a bound), and
// the CLI does so on SIGTERM and SIGINT, exiting at once on a second signal.
import { spawn } from 'node:child_process';
import { Agent, request } from 'node:http';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

import { startMock, validJob } from './harness.js';

const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

/** A mock whose synchronous generations take 10 s on its manual clock, with `count` of them in flight. */
async function generationsInFlight(count: number) {
  const h = await startMock({ timing: { queuedMs: 0, runningMs: 10_000 } });
  const answers = Array.from({ length: count }, () =>
    h.call('/v1/images/generations', { json: validJob }).then(
      async (response) => ({ status: response.status, body: await response.text() }),
      (error: unknown) => ({ status: 0, body: String((error as Error).cause ?? error) }),
    ),
  );
  // Each generation sleeps twice on the clock: the request waiting for its job, and the job's
  // settle notification (LumixAI refunds failed jobs).
  await expect.poll(() => h.clock.pendingSleeps, { timeout: 10_000 }).toBe(2 * count);
  return { h, answers };
}

describe('serve(...).close()', () => {
  it('stops accepting, lets in-flight requests finish, then closes', async () => {
    const { h, answers } = await generationsInFlight(5);
    let closed = false;
    const closing = h.running.close().then(() => (closed = true));
    await expect(fetch(`${h.running.url}/`)).rejects.toThrow(/fetch failed/);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(closed).toBe(false);
    h.clock.advance(10_000);
    expect((await Promise.all(answers)).map((answer) => answer.status)).toEqual([200, 200, 200, 200, 200]);
    await closing;
    expect(closed).toBe(true);
  });

  it('resets what is still running after drainMs', async () => {
    const { h, answers } = await generationsInFlight(2);
    const started = performance.now();
    await h.running.close({ drainMs: 200 });
    expect(performance.now() - started).toBeGreaterThanOrEqual(150);
    expect((await Promise.all(answers)).map((answer) => answer.status)).toEqual([0, 0]);
  });

  it.each([
    { name: 'at once with { force: true }', close: (h: Awaited<ReturnType<typeof startMock>>) => h.running.close({ force: true }) },
    {
      name: 'when { force: true } follows a graceful close',
      close: async (h: Awaited<ReturnType<typeof startMock>>) => {
        const graceful = h.running.close();
        await new Promise((resolve) => setTimeout(resolve, 50));
        await h.running.close({ force: true });
        await graceful;
      },
    },
  ])('resets in-flight requests $name', async ({ close }) => {
    const { h, answers } = await generationsInFlight(2);
    const started = performance.now();
    await close(h);
    expect(performance.now() - started).toBeLessThan(2000);
    expect((await Promise.all(answers)).map((answer) => answer.status)).toEqual([0, 0]);
  });

  it('does not wait for idle keep-alive connections, and stops the webhook sender', async () => {
    const h = await startMock();
    for (let i = 0; i < 3; i++) await (await h.call('/v1/models')).arrayBuffer();
    const started = performance.now();
    await h.running.close();
    expect(performance.now() - started).toBeLessThan(1000);
    expect(() => h.mock.webhooks.deliver({ api: 'lumixai', url: 'http://127.0.0.1:9/', payload: {} })).toThrow(/closed/);
  });
});

/**
 * `clients` keep-alive clients, each sending GET / back to back on its own pooled connection until
 * a request fails: what each request got, a status or an error code, and how many each client had
 * answered.
 */
function keepAliveLoad(url: string, clients: number) {
  const agent = new Agent({ keepAlive: true, maxSockets: clients });
  const outcomes: Array<{ status: number; connection: string | undefined } | { error: string }> = [];
  const answeredBy = Array.from({ length: clients }, () => 0);
  const once = (client: number) =>
    new Promise<boolean>((resolve) => {
      const req = request(`${url}/`, { agent }, (res) => {
        res.resume();
        res.on('end', () => {
          outcomes.push({ status: res.statusCode ?? 0, connection: res.headers.connection });
          answeredBy[client]! += 1;
          resolve(true);
        });
      });
      req.on('error', (error: NodeJS.ErrnoException) => {
        outcomes.push({ error: error.code ?? error.message });
        resolve(false);
      });
      req.end();
    });
  const loops = Array.from({ length: clients }, async (_, client) => {
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline && (await once(client)));
  });
  return { outcomes, answeredBy, done: Promise.all(loops).finally(() => agent.destroy()) };
}

describe('closing under keep-alive load (issue 15 row 14)', () => {
  it('answers requests that arrive on open connections with Connection: close and resets none', async () => {
    const resets: string[] = [];
    let closeAnswers = 0;
    let answered = 0;
    // Three rounds: a reset shows up at the moment closing begins, on a connection between requests.
    for (let round = 0; round < 3; round++) {
      const h = await startMock();
      const { outcomes, answeredBy, done } = keepAliveLoad(h.running.url, 8);
      // Every client is connected and in its loop (a connection the server has not yet accepted
      // when the listener closes is refused by the kernel, as on any server). Waiting for that is
      // set-up, not what is tested: a busy machine (a whole pnpm test) can take over a second.
      await expect.poll(() => Math.min(...answeredBy), { interval: 5, timeout: 15_000 }).toBeGreaterThanOrEqual(3);
      await h.running.close();
      await done;
      for (const outcome of outcomes) {
        if ('error' in outcome) {
          // A new connection refused once the listener has closed is not a lost request.
          if (outcome.error !== 'ECONNREFUSED') resets.push(outcome.error);
        } else {
          expect(outcome.status).toBe(200);
          answered += 1;
          if (outcome.connection === 'close') closeAnswers += 1;
        }
      }
    }
    expect(resets, 'requests reset instead of answered').toEqual([]);
    expect(answered).toBeGreaterThan(100);
    // Requests in flight or arriving while closing were answered, each ending its connection.
    expect(closeAnswers).toBeGreaterThanOrEqual(8);
  });
});

/** GET / on a connection of its own: resolves with the status, rejects with the connection error. */
function freshConnection(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}/`, { agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

/** Starts the CLI with jobs of `runningMs`; resolves with the child, its URL and its output so far. */
async function startCli(runningMs: number) {
  const child = spawn(process.execPath, [cli, '--port', '0', '--quiet'], {
    env: { ...process.env, IMAGEGEN_MOCK_CONFIG_JSON: JSON.stringify({ timing: { queuedMs: 0, runningMs } }) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = { stdout: '', stderr: '' };
  child.stdout.on('data', (chunk: Buffer) => (output.stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output.stderr += chunk.toString()));
  const exited = new Promise<{ code: number | null; at: number }>((resolve) => child.once('exit', (code) => resolve({ code, at: performance.now() })));
  await expect.poll(() => output.stdout, { timeout: 15_000 }).toMatch(/listening on http/);
  const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output.stdout)![1]!;
  return { child, url, output, exited };
}

/**
 * `count` synchronous generations, each on its own connection; `sent` resolves once every request
 * has been written whole, so a signal sent after it finds them all at the server.
 */
function generations(url: string, count: number) {
  const body = JSON.stringify(validJob);
  const written: Array<Promise<void>> = [];
  const answers = Array.from(
    { length: count },
    () =>
      new Promise<number>((resolve) => {
        const req = request(`${url}/lumixai/api/backend/v1/images/generations`, {
          method: 'POST',
          agent: false,
          headers: { 'X-API-Key': 'air_live_mock_dev', 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(body)) },
        });
        written.push(new Promise((done) => req.once('finish', done)));
        req.on('response', (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        });
        req.on('error', () => resolve(0));
        req.end(body);
      }),
  );
  return { answers, sent: Promise.all(written) };
}

describe('the CLI on a signal', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)('%s: the 50 generations in flight all finish, new connections are refused, exit 0', async (signal) => {
    const { child, url, output, exited } = await startCli(3000);
    try {
      const { answers, sent } = generations(url, 50);
      await sent;
      // Answered on a connection opened after theirs: the server has accepted all 50 (a connection
      // still in the kernel's queue when the listener closes is refused, as on any server).
      await (await fetch(`${url}/`)).arrayBuffer();
      child.kill(signal);
      await expect.poll(() => output.stderr).toMatch(new RegExp(`${signal}: finishing requests in flight`));
      // A new connection is refused (fetch's pooled one would be answered, with Connection: close).
      await expect(freshConnection(url)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
      const statuses = await Promise.all(answers);
      expect(statuses.filter((status) => status === 200)).toHaveLength(50);
      expect((await exited).code).toBe(0);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('a second signal exits at once', async () => {
    const { child, url, exited } = await startCli(60_000);
    try {
      const { answers, sent } = generations(url, 3);
      await sent;
      await (await fetch(`${url}/`)).arrayBuffer();
      child.kill('SIGTERM');
      await new Promise((resolve) => setTimeout(resolve, 200));
      const second = performance.now();
      child.kill('SIGTERM');
      const { code, at } = await exited;
      expect(code).toBe(143);
      expect(at - second).toBeLessThan(2000);
      expect(await Promise.all(answers)).toEqual([0, 0, 0]);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
