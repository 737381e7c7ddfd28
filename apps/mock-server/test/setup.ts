// Runs before every test file (vitest setupFiles). The files share one worker and one module graph
// (isolate: false in vitest.config.ts: importing the server's modules once, not once per file, saves
// about a third of this suite's time), so what one file leaves behind must not reach the next:
// every mock, listener and proxy a test opened is closed after that test, here, whichever helper
// opened it, and whatever a file changed in the process's globals is put back when the file ends.
import { afterAll, afterEach, vi } from 'vitest';

import { closeOpenMocks } from './harness.js';
import { closeListeners } from './listen.js';
import { runClosers } from './proxy-support.js';

afterEach(async () => {
  await runClosers();
  await closeListeners();
  await closeOpenMocks();
});

afterAll(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
  vi.unstubAllGlobals();
});
