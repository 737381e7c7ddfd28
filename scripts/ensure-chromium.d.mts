// Types of ensure-chromium.mjs, for the TypeScript tests that import it.

export declare const CHROMIUM_CANDIDATES: readonly string[];

export declare function installCommand(options?: { root?: boolean }): string;

export interface FindChromiumOptions {
  /** Read for `CHROMIUM_PATH`. Default: `process.env`. */
  env?: Record<string, string | undefined>;
  /** Paths tried after `CHROMIUM_PATH`, in order. Default: {@link CHROMIUM_CANDIDATES}. */
  candidates?: readonly string[];
  /** Default: the path is a file this user may execute. */
  isExecutable?: (path: string) => boolean;
}

export declare function findChromium(options?: FindChromiumOptions): string | undefined;

export declare function missingChromiumMessage(options?: { candidates?: readonly string[]; apt?: boolean; root?: boolean }): string;

export interface EnsureChromiumOptions extends FindChromiumOptions {
  /** Whether a command is on PATH. Default: searches `env.PATH`. */
  hasCommand?: (command: string) => boolean;
  /** Runs a command and returns its exit code. Default: `spawnSync`, output shown unless `quiet`. */
  run?: (command: string, args: string[], options?: { env?: Record<string, string | undefined>; quiet?: boolean }) => number;
  /** The user id; 0 is root. Default: `process.getuid()`. */
  uid?: number;
  /** Where progress lines go. Default: `console.log`. */
  log?: (line: string) => void;
}

export declare function ensureChromium(options?: EnsureChromiumOptions): string;
