import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * The package's own folder (package.json, data/, dist/), found through its name rather than a path
 * relative to the calling module: the same answer from src/ (tests), from dist/ and from the
 * bundled build, whose modules all live in one file.
 */
export const PACKAGE_DIR = dirname(createRequire(import.meta.url).resolve('@imagegen/mock-server/package.json'));

/** A file shipped in the package's `data/` folder. */
export function packageDataFile(...segments: string[]): string {
  return join(PACKAGE_DIR, 'data', ...segments);
}
