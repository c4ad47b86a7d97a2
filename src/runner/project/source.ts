// What project discovery produces: a project's parts, not yet interpreted,
// and the options that say where to find them.
//
// Key idea: the types sit apart from the code that fills them (discover.ts,
// inobjects.ts, refs/load.ts), so those three import the types and not each
// other. Trade-off: one more file, for no import cycle.

import type { KObject } from '../../api/object.js';
import type { CodeFile, LibrarySource } from '../../reconciler/source.js';
import type { UpstreamRef } from '../refs/upstreamref.js';
import type { LoadError, Manifest, SourcePos } from './yamlfile.js';

export interface ReconcilerSource {
  /** From the config's metadata.name, else the directory (or flat file) name. */
  name: string;
  config: KObject;
  pos: SourcePos;
  code: CodeFile[];
  /** The UpstreamRef that supplied it (absent: the project itself). */
  origin?: string;
}

export interface ProjectSource {
  dir: string;
  crds: Manifest[];
  libraries: LibrarySource[];
  reconcilers: ReconcilerSource[];
  inputs: Manifest[];
  errors: LoadError[];
  /** The project's UpstreamRefs and where each resolved (see runner/refs/load.ts). */
  refs: ResolvedRefInfo[];
}

export interface ResolvedRefInfo {
  ref: UpstreamRef;
  /** Where it resolved ("git repository /x at d8a3ca6e1b2c", "cache /y"). */
  source: string;
  /** Names of what it supplied, per kind of piece. */
  supplied: { crds: string[]; libraries: string[]; reconcilers: string[]; inputs: string[] };
  /** The ref whose refs/ held this one (nested refs). */
  via?: string;
}

/** Where a project's parts are: paths relative to the project directory (or absolute). */
export interface ProjectPaths {
  crds: string;
  reconcilers: string;
  libraries: string;
  input: string;
  refs: string;
}

export interface DiscoverOptions {
  /** Folders other than the defaults (the CLI's path flags); applies to this project, not to its refs. */
  paths?: Partial<ProjectPaths>;
  /** Show file paths under this label instead of the real directory (a ref extracted to a temp dir). */
  displayRoot?: string;
  /** Resolve refs/ (default true); refs of refs are followed with a cycle guard. */
  refs?: boolean;
  /** @internal Refs being loaded (URL@ref), to stop cycles. */
  loading?: Set<string>;
  env?: NodeJS.ProcessEnv;
}
