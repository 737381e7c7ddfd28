// Empties the package's dist/ before its build: tsc only adds and overwrites, so the output of a
// source renamed or deleted since (a .js and its .map naming a file that no longer exists) would
// stay, be stored in turbo's cache with this build's outputs, come back with every cache hit and
// be packed into the tarball. Run from the package's folder, as its `build` script is.
import { rmSync } from 'node:fs';

rmSync('dist', { recursive: true, force: true });
