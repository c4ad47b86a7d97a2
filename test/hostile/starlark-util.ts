// Shared by the hostile Starlark tests: running `choreoctl star run` on a
// source text, and the memory bomb from issue 18.

import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

export const cli = join(process.cwd(), 'dist/src/cli/main.js');

/** The ~1,000-step memory bomb of issue 18, as the body of a function (4 spaces of indentation added per `indent`). */
export function bomb(indent = 1): string {
  const pad = '    '.repeat(indent);
  return ['keep = []', 'for j in range(40):', '    l = [1]', '    for i in range(24):', '        l = l + l', '    keep.append(l)'].map((l) => pad + l).join('\n') + '\n';
}

/** Runs `choreoctl star run [flags] FILE` on src in a temp dir named FILE; returns exit code and output. */
export async function starRun(src: string, flags: string[] = [], file = 'main.star'): Promise<{ code: number; stdout: string; stderr: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'choreo-starrun-'));
  const path = join(dir, file);
  await writeFile(path, src);
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [cli, 'star', 'run', ...flags, path], { timeout: 30_000, maxBuffer: 1 << 24 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string; signal?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: (e.stderr ?? '') + (e.signal ? ` (signal ${e.signal})` : '') };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
