// Resolving an UpstreamRef to a directory tree, without a network.
//
// Where a ref is looked for, in order:
//   1. `file://` URLs and plain paths (absolute, or relative to the project):
//      a local git repository; the ref is read from it with `git archive`.
//   2. The cache, `$CHOREO_CACHE` or else `${XDG_CACHE_HOME:-~/.cache}/choreo`:
//        refs/<host>/<path>@<ref name>/   an unpacked tree of exactly that ref
//        refs/<host>/<path>.git           a git clone (bare or not) holding the ref
//        refs/<host>/<path>/              likewise
//      where <host>/<path> is the URL without scheme and `.git` suffix
//      (https://github.com/kform-dev/choreo-examples.git →
//      refs/github.com/kform-dev/choreo-examples@<ref>/).
// A ref found nowhere is an error naming the ref and every place looked at.
//
// Key idea: a ref resolves to an immutable snapshot. From a git repository the
// tree of the pinned commit (tags resolved to their commit) is extracted into a
// temporary directory the caller removes after reading; the repository itself
// is never changed (no checkout, no worktree), so a user's clone is safe to
// point at. The trade-off: every load extracts again — cheap for project-sized
// trees, and it keeps a stale extraction from ever being used.

import { execFile } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describeRef, type UpstreamRef } from './upstreamref.js';

const run = promisify(execFile);

export interface ResolvedRef {
  /** The ref's project root (its `directory` applied). */
  dir: string;
  /** Human-readable origin: "git repository /path at d8a3ca6" or "cache /path". */
  source: string;
  /** Removes temporary files; safe to call more than once. */
  cleanup(): Promise<void>;
}

export class RefNotFoundError extends Error {
  constructor(
    readonly ref: UpstreamRef,
    readonly looked: string[],
    detail = '',
  ) {
    super(`upstream ref ${describeRef(ref)} not found${detail ? `: ${detail}` : ''}; looked in:\n${looked.map((l) => `  - ${l}`).join('\n')}`);
    this.name = 'RefNotFoundError';
  }
}

export function cacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  if (env.CHOREO_CACHE) return env.CHOREO_CACHE;
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'choreo');
}

/** host/path of a URL, without scheme, credentials and `.git` ("github.com/kform-dev/choreo-examples"). */
export function urlKey(url: string): string {
  const noScheme = url.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '').replace(/^[^@/]*@/, '');
  // scp-like git URLs: git@github.com:org/repo.git
  return noScheme.replace(/^([^/:]+):(?!\d)/, '$1/').replace(/\.git$/, '').replace(/\/+$/, '');
}

async function exists(p: string, dir = false): Promise<boolean> {
  try {
    const s = await stat(p);
    return dir ? s.isDirectory() : true;
  } catch {
    return false;
  }
}

async function isGitRepo(p: string): Promise<boolean> {
  if (!(await exists(p, true))) return false;
  try {
    const { stdout } = await run('git', ['-C', p, 'rev-parse', '--git-dir'], { timeout: 10_000 });
    // A directory inside some other repository is not itself a repository.
    const gitDir = resolve(p, stdout.trim());
    return gitDir === resolve(p, '.git') || gitDir === resolve(p);
  } catch {
    return false;
  }
}

async function commitOf(repo: string, ref: UpstreamRef): Promise<string | undefined> {
  const rev = ref.ref.type === 'tag' ? `refs/tags/${ref.ref.name}` : ref.ref.name;
  try {
    const { stdout } = await run('git', ['-C', repo, 'rev-parse', '--verify', '--quiet', `${rev}^{commit}`], { timeout: 10_000 });
    return stdout.trim() || undefined;
  } catch {
    return undefined;
  }
}

/** Extracts `directory` of `commit` into a fresh temp dir. */
async function extract(repo: string, commit: string, ref: UpstreamRef): Promise<ResolvedRef> {
  const tmp = await mkdtemp(join(tmpdir(), 'choreo-ref-'));
  const cleanup = () => rm(tmp, { recursive: true, force: true });
  try {
    const tar = join(tmp, 'ref.tar');
    await run('git', ['-C', repo, 'archive', '--format=tar', '-o', tar, commit, ...(ref.directory ? ['--', ref.directory] : [])], { timeout: 60_000 });
    const tree = join(tmp, 'tree');
    await run('mkdir', ['-p', tree]);
    await run('tar', ['-xf', tar, '-C', tree], { timeout: 60_000 });
    await rm(tar);
    return { dir: ref.directory ? join(tree, ref.directory) : tree, source: `git repository ${repo} at ${commit.slice(0, 12)}`, cleanup };
  } catch (err) {
    await cleanup();
    const msg = (err as { stderr?: string }).stderr?.trim() || (err as Error).message;
    throw new RefNotFoundError(ref, [`git repository ${repo}`], `git archive of ${commit.slice(0, 12)}${ref.directory ? ` ${ref.directory}` : ''} failed: ${msg}`);
  }
}

/** Resolves a ref to a directory (see the module comment for where it looks). */
export async function resolveRef(ref: UpstreamRef, projectDir: string, env: NodeJS.ProcessEnv = process.env): Promise<ResolvedRef> {
  const looked: string[] = [];
  const fromRepo = async (repo: string): Promise<ResolvedRef | undefined> => {
    if (!(await isGitRepo(repo))) {
      looked.push(`${repo} (no git repository)`);
      return undefined;
    }
    const commit = await commitOf(repo, ref);
    if (!commit) {
      looked.push(`${repo} (git repository without ${ref.ref.type} ${ref.ref.name})`);
      return undefined;
    }
    return extract(repo, commit, ref);
  };

  const local = ref.url.startsWith('file://') ? fileURLToPath(ref.url) : isAbsolute(ref.url) || ref.url.startsWith('.') ? resolve(projectDir, ref.url) : undefined;
  if (local !== undefined) {
    const r = await fromRepo(local);
    if (r) return r;
    throw new RefNotFoundError(ref, looked);
  }

  const base = join(cacheRoot(env), 'refs', urlKey(ref.url));
  const tree = `${base}@${ref.ref.name}`;
  const treeDir = ref.directory ? join(tree, ref.directory) : tree;
  if (await exists(treeDir, true)) return { dir: treeDir, source: `cache ${tree}`, cleanup: async () => {} };
  looked.push(`${treeDir} (unpacked tree, missing)`);
  for (const repo of [`${base}.git`, base]) {
    const r = await fromRepo(repo);
    if (r) return r;
  }
  throw new RefNotFoundError(ref, looked, `set CHOREO_CACHE or use a file:// URL to a local git repository`);
}
