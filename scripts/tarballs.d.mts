// Types of tarballs.mjs, for the TypeScript tests that import it.

export interface Manifest {
  name: string;
  version: string;
  private?: boolean;
  description?: string;
  license?: string;
  engines?: { node?: string };
  repository?: { type: string; url: string; directory?: string };
  homepage?: string;
  files?: string[];
  exports?: Record<string, unknown>;
  bin?: Record<string, string>;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  scripts?: Record<string, string>;
  publishConfig?: Record<string, unknown>;
}

export interface WorkspacePackage {
  dir: string;
  manifest: Manifest;
}

/** A publishable package packed with `pnpm pack` (workspace: ranges replaced by versions). */
export interface PackedPackage {
  name: string;
  dir: string;
  tarball: string;
  /** Whether it has a JavaScript entry point (`exports["."]`); the others ship data only. */
  hasCode: boolean;
}

export declare const ROOT: string;
export declare const DEFAULT_OUT: string;
export declare function workspacePackages(): WorkspacePackage[];
export declare function publishablePackages(): WorkspacePackage[];
export declare function packTarballs(destination: string): Promise<PackedPackage[]>;
export declare function installCommand(destination: string): string;
