// The workspace's publishable packages and their packing come from scripts/tarballs.mjs, the
// script behind the README's `pnpm tarballs`, so these tests install what users are told to.
export { DEFAULT_OUT, ROOT, installCommand, packTarballs, publishablePackages, workspacePackages } from '../../../../scripts/tarballs.mjs';
export type { Manifest, PackedPackage, WorkspacePackage } from '../../../../scripts/tarballs.mjs';
