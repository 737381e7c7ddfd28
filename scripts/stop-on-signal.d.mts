// Types of stop-on-signal.mjs, for the TypeScript tests that import it.
import type { ChildProcess } from 'node:child_process';

export declare function onStop(cleanup: () => void): () => void;
export declare function removeOnStop(dir: string): () => void;
export declare function killGroupOnStop(child: ChildProcess): () => void;
