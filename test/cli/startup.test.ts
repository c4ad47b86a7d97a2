// Lazy loading of choreoctl, checked structurally (not by timing): which of
// our source modules and which packages a real choreoctl process loads.
//
// A module loader hook (node --import, module.register) logs every file Node
// loads; a bundled chunk also names the modules it holds (esbuild's
// `// dist/src/...` and `// node_modules/...` markers), so the same check
// reads the plain tsc build and the bundled CLI alike. Each case also names modules that must be seen,
// so a change that hid them from the check would fail it instead of passing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const cli = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));

/** What one choreoctl run loaded: our source modules (as dist/src/... paths), bundled package files, and every URL Node loaded (packages, node: builtins). */
interface Loaded {
  sources: Set<string>;
  bundledPackages: Set<string>;
  urls: string[];
}

function loadedBy(args: string[]): Loaded {
  const dir = mkdtempSync(join(tmpdir(), 'choreo-startup-'));
  try {
    const log = join(dir, 'loaded.txt');
    const hooks = join(dir, 'hooks.mjs');
    writeFileSync(hooks, `import { appendFileSync } from 'node:fs';\nexport async function load(url, context, next) { appendFileSync(${JSON.stringify(log)}, url + '\\n'); return next(url, context); }\n`);
    const register = join(dir, 'register.mjs');
    writeFileSync(register, `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(hooks).href)});\n`);
    writeFileSync(log, '');
    const r = spawnSync(process.execPath, ['--import', pathToFileURL(register).href, cli, ...args], { encoding: 'utf8', cwd: dir, timeout: 30_000 });
    assert.equal(r.status, 0, r.stderr);
    const urls = readFileSync(log, 'utf8').split('\n').filter((u) => u !== '');
    const sources = new Set<string>();
    const bundledPackages = new Set<string>();
    for (const url of urls) {
      if (!url.startsWith('file:') || url.includes('/node_modules/')) continue;
      const path = fileURLToPath(url);
      const own = /(dist\/src\/.*\.js)$/.exec(path);
      if (own) sources.add(own[1]!);
      for (const m of readFileSync(path, 'utf8').matchAll(/^\/\/ (\S*)$/gm)) {
        const marker = m[1]!;
        if (/^dist\/src\/.*\.js$/.test(marker)) sources.add(marker);
        else if (marker.includes('node_modules/')) bundledPackages.add(marker.slice(marker.lastIndexOf('node_modules/')));
      }
    }
    return { sources, bundledPackages, urls };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Modules of constants only (no imports), which --help may show: the default limits of a reconcile. */
const constantsOnly = new Set(['dist/src/reconciler/limits.js']);

/** Source modules under `dirs` (e.g. "starlark") that were loaded, constants-only modules aside. */
function under(l: Loaded, ...dirs: string[]): string[] {
  return [...l.sources].filter((s) => !constantsOnly.has(s) && dirs.some((d) => s.startsWith(`dist/src/${d}/`)));
}

/** npm packages (loaded from node_modules or bundled) and node: builtins that were loaded, among `names`. */
function packages(l: Loaded, ...names: string[]): string[] {
  return names.filter((n) => (n.startsWith('node:') ? l.urls.includes(n) : l.urls.some((u) => u.includes(`/node_modules/${n}/`)) || [...l.bundledPackages].some((p) => p.startsWith(`node_modules/${n}/`))));
}

const engine = ['apiserver', 'store', 'runner', 'controller', 'reconciler', 'allocation', 'client', 'api', 'net'];
const heavyPackages = ['yaml', 'etcd3', 'nunjucks', 're2js', '@marcbachmann/cel-js', 'diff'];

test('choreoctl --version loads the command registrations only: no interpreter, server, store or client', () => {
  const l = loadedBy(['--version']);
  assert.ok(l.sources.has('dist/src/cli/commands/run.js') && l.sources.has('dist/src/cli/commands/star.js'), `registrations seen: ${[...l.sources].join(' ')}`);
  assert.deepEqual(packages(l, 'commander'), ['commander']);
  assert.deepEqual(under(l, ...engine, 'cli/actions'), []);
  assert.deepEqual(under(l, 'starlark').filter((s) => s !== 'dist/src/starlark/testing/dialectoptions.js'), []);
  assert.deepEqual(packages(l, ...heavyPackages, 'node:http', 'node:https', 'node:net', 'node:crypto'), []);
});

test('choreoctl star run of an empty file loads the interpreter, not the engine, its packages or the RE2 engine', () => {
  const dir = mkdtempSync(join(tmpdir(), 'choreo-startup-star-'));
  try {
    const empty = join(dir, 'empty.star');
    writeFileSync(empty, '');
    const l = loadedBy(['star', 'run', empty]);
    assert.ok(l.sources.has('dist/src/starlark/eval.js'), `interpreter seen: ${[...l.sources].join(' ')}`);
    // api/schema/regexp.js comes with the test-chunk helpers; it must not load re2js until a pattern is compiled.
    assert.deepEqual(under(l, ...engine).filter((s) => s !== 'dist/src/api/schema/regexp.js'), []);
    assert.deepEqual(packages(l, ...heavyPackages, 'node:http', 'node:https', 'node:net'), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('choreoctl get --help loads no client, server or engine code', () => {
  const l = loadedBy(['get', '--help']);
  assert.ok(l.sources.has('dist/src/cli/commands/get.js'));
  assert.deepEqual(under(l, ...engine, 'cli/actions'), []);
  assert.deepEqual(packages(l, ...heavyPackages, 'node:http', 'node:https'), []);
});

test('the check sees a package whether bundled or loaded: run deps -o yaml loads yaml', () => {
  const dir = mkdtempSync(join(tmpdir(), 'choreo-startup-deps-'));
  try {
    // `run deps --refs -o yaml` of an empty project prints YAML: yaml must be seen (whether bundled or not).
    mkdirSync(join(dir, 'crds'));
    const l = loadedBy(['run', 'deps', dir, '--refs', '-o', 'yaml']);
    assert.deepEqual(packages(l, 'yaml'), ['yaml']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
