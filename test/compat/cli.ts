// Running the built choreoctl binary for the compatibility tests.
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
export { crdYaml } from '../helpers/crd.js';

const run = promisify(execFile);
export const repo = fileURLToPath(new URL('../../../', import.meta.url));
export const fixtures = join(repo, 'test/compat/fixtures');
const cli = join(repo, 'dist/src/cli/main.js');

export async function choreoctl(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [cli, ...args], { cwd: repo, timeout: 60_000, env: { ...process.env, ...env } });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

/** A git command with a fixed identity (tests must not depend on the machine's git config). */
export async function git(dir: string, ...args: string[]): Promise<string> {
  const env = { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.com', GIT_CONFIG_NOSYSTEM: '1', HOME: dir };
  const { stdout } = await run('git', ['-C', dir, '-c', 'init.defaultBranch=main', '-c', 'commit.gpgsign=false', ...args], { env });
  return stdout.trim();
}


/** A copy of a fixture project in a temp dir (runs write .choreo/ into the project). */
export async function copyFixture(name: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `choreo-compat-${name}-`));
  await cp(join(fixtures, name), dir, { recursive: true });
  return dir;
}

/** A project written inline by a test: relative path → file text, in a temp dir. */
export async function projectDir(files: Record<string, string>, label = 'inline'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `choreo-${label}-`));
  for (const [f, text] of Object.entries(files)) {
    await mkdir(join(dir, f, '..'), { recursive: true });
    await writeFile(join(dir, f), text);
  }
  return dir;
}
