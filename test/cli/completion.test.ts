// Shell completion through the real CLI in a real bash without the
// bash-completion package: the script from `choreoctl completion bash` is
// sourced in `bash --norc`, COMP_WORDS / COMP_CWORD are set as bash sets them
// and the completion function is called; COMPREPLY is what the user would be
// offered. Kind and object names come from a project running under `run start`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { choreoctl, repo } from '../compat/cli.js';

const run = promisify(execFile);

/** A temp dir with `choreoctl` on PATH (the built CLI), as a user has it. */
async function setup(): Promise<{ root: string; env: NodeJS.ProcessEnv }> {
  const root = await mkdtemp(join(tmpdir(), 'choreo-completion-'));
  await mkdir(join(root, 'bin'));
  await writeFile(join(root, 'bin/choreoctl'), `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(join(repo, 'dist/src/cli/main.js'))} "$@"\n`);
  await chmod(join(root, 'bin/choreoctl'), 0o755);
  return { root, env: { ...process.env, PATH: `${join(root, 'bin')}:${process.env.PATH}` } };
}

/** COMPREPLY for the words (the last one is the word at the cursor), in `cwd`. */
async function complete(s: { root: string; env: NodeJS.ProcessEnv }, words: string[], cwd = s.root, env: NodeJS.ProcessEnv = {}): Promise<string[]> {
  const script = 'source <(choreoctl completion bash) || exit 3; type _init_completion >/dev/null 2>&1 && exit 4; COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 )); _choreoctl; printf "%s\\n" "${COMPREPLY[@]}"';
  const { stdout } = await run('bash', ['--norc', '--noprofile', '-c', script, 'bash', 'choreoctl', ...words], { cwd, env: { ...s.env, ...env } });
  return stdout.split('\n').filter((l) => l !== '');
}

test('bash completion without bash-completion: commands, subcommands, flags, flag values, directories', async () => {
  const s = await setup();
  try {
    await mkdir(join(s.root, 'projA'));
    await mkdir(join(s.root, 'projB'));
    const top = await complete(s, ['']);
    for (const c of ['run', 'get', 'init', 'test', 'completion', 'version', 'star']) assert.ok(top.includes(c), top.join(' '));
    assert.ok(!top.includes('__complete'));
    assert.deepEqual(await complete(s, ['ru']), ['run']);
    assert.deepEqual(await complete(s, ['run', 're']), ['reconcile', 'result']);
    assert.deepEqual(await complete(s, ['run', 'once', '--wo']), ['--workers']);
    assert.deepEqual(await complete(s, ['run', 'once', '-o', '']), ['json', 'text', 'yaml']);
    assert.deepEqual(await complete(s, ['run', 'once', '--output', '=', 'y']), ['yaml']);
    assert.deepEqual(await complete(s, ['completion', '']), ['bash', 'fish', 'zsh']);
    assert.deepEqual(await complete(s, ['test', 'pro']), ['projA', 'projB']);
    assert.deepEqual(await complete(s, ['run', 'once', '--out', 'projB']), ['projB']);
  } finally {
    await rm(s.root, { recursive: true, force: true });
  }
});

test('bash completion of kinds and object names from a running project (get, delete) and of run reconcile from the project', async () => {
  const s = await setup();
  const dir = join(s.root, 'proj');
  try {
    assert.equal((await choreoctl(['init', dir])).code, 0);
    assert.deepEqual(await complete(s, ['run', 'reconcile', 'proj', '']), ['app/sample']);
    assert.deepEqual(await complete(s, ['run', 'reconcile', 'proj', 'app/s']), ['app/sample']);
    // Nothing running: no names, and no hang.
    const kubeconfig = join(dir, '.choreo', 'kubeconfig');
    const started = performance.now();
    assert.deepEqual(await complete(s, ['get', '--kubeconfig', join(s.root, 'none'), '']), []);
    assert.ok(performance.now() - started < 10_000);
    const up = await choreoctl(['run', 'start', dir]);
    assert.equal(up.code, 0, up.stdout + up.stderr);
    try {
      // Wait for the run to have created the children.
      for (let i = 0; i < 100 && !(await choreoctl(['get', 'configmaps', 'sample-1', '--kubeconfig', kubeconfig])).stdout.includes('sample-1'); i++) await new Promise((r) => setTimeout(r, 100));
      const types = await complete(s, ['get', '--kubeconfig', kubeconfig, '']);
      assert.ok(types.includes('apps') && types.includes('configmaps'), types.join(' '));
      assert.deepEqual(await complete(s, ['get', '--kubeconfig', kubeconfig, 'ap']), ['apps']);
      assert.deepEqual(await complete(s, ['get', 'apps', ''], s.root, { KUBECONFIG: kubeconfig }), ['sample']);
      assert.deepEqual(await complete(s, ['delete', '--kubeconfig', kubeconfig, 'configmaps', 'sam']), ['sample-0', 'sample-1']);
      assert.deepEqual(await complete(s, ['get', '--kubeconfig', kubeconfig, 'app/']), ['app/sample']);
      assert.ok((await complete(s, ['get', '--kubeconfig', kubeconfig, '-n', ''])).includes('default'));
    } finally {
      await choreoctl(['run', 'stop', dir]);
    }
  } finally {
    await rm(s.root, { recursive: true, force: true });
  }
});

const hasFish = spawnSync('fish', ['--version']).status === 0;

test('fish completion, where fish is installed: commands, subcommands, project objects, flag values', { skip: !hasFish && 'fish is not installed' }, async () => {
  const s = await setup();
  try {
    assert.equal((await choreoctl(['init', join(s.root, 'proj')])).code, 0);
    const fish = async (line: string) => (await run('fish', ['--no-config', '-c', `choreoctl completion fish | source; complete -C${JSON.stringify(line)}`], { cwd: s.root, env: s.env })).stdout.split('\n').filter((l) => l !== '');
    assert.deepEqual(await fish('choreoctl ru'), ['run']);
    assert.deepEqual(await fish('choreoctl run re'), ['reconcile', 'result']);
    assert.deepEqual(await fish('choreoctl run reconcile proj '), ['app/sample']);
    assert.deepEqual(await fish('choreoctl run once -o '), ['json', 'text', 'yaml']);
  } finally {
    await rm(s.root, { recursive: true, force: true });
  }
});

test('completion zsh and fish print scripts that call back into choreoctl; an unknown shell is refused', async () => {
  for (const shell of ['zsh', 'fish']) {
    const r = await choreoctl(['completion', shell]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /choreoctl __complete /);
  }
  assert.match((await choreoctl(['completion', 'zsh'])).stdout, /^#compdef choreoctl\n[\s\S]*compdef _choreoctl choreoctl/);
  assert.match((await choreoctl(['completion', 'fish'])).stdout, /complete -c choreoctl -f -a '\(__choreoctl_complete\)'/);
  const bad = await choreoctl(['completion', 'powershell']);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /unknown shell "powershell": want bash, zsh or fish/);
  // zsh itself, when installed, must at least parse the script.
  const zsh = spawnSync('zsh', ['-n', '-c', (await choreoctl(['completion', 'zsh'])).stdout]);
  if (!zsh.error) assert.equal(zsh.status, 0, String(zsh.stderr));
});
