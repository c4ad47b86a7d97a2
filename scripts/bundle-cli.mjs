// Bundles choreoctl after tsc: dist/src/cli/main.js (tsc's output) is replaced
// by one ES module holding the entry and every command's registration, with
// each command's implementation in a chunk under dist/src/cli/chunks/, loaded
// by the action's dynamic import() only when that command runs.
//
// Why: Node 20's ES module loader costs ~0.2-0.3 ms per module file (resolve,
// async read, link), and `choreoctl star run` alone needs ~50 of our modules;
// Node 20 has no module compile cache to use instead. commander and yaml (a
// CommonJS package of ~60 files that every client and runner command needs for
// kubeconfigs and manifests) are bundled too; packages that read files beside
// their code (etcd3's .proto files) or are needed only by some commands stay
// external. Measured with bench/startup: star run of an empty file ~2.2x ->
// ~1.5x `node -e 0`, get ~2.4x -> ~1.9x.
//
// Trade-off: the bundle is made from tsc's JavaScript (the same code the tests
// import module by module). Without this step (plain `tsc`) main.js is the
// unbundled entry and behaves the same, only starts slower. Running this step
// twice is a no-op: it bundles tsc's output, never its own.

import { build } from 'esbuild';
import { chmodSync, readFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cliDir = fileURLToPath(new URL('../dist/src/cli/', import.meta.url));
const entry = `${cliDir}main.js`;

// esbuild marks each bundled module with a `// dist/src/...` line; tsc's main.js has none.
if (readFileSync(entry, 'utf8').includes('\n// dist/src/cli/main.js\n')) {
  console.log(`${entry} is already bundled (run tsc first to rebuild it)`);
  process.exit(0);
}

const inlined = new Set(['commander', 'yaml', 'diff', '@marcbachmann/cel-js']);
const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

rmSync(`${cliDir}chunks`, { recursive: true, force: true });
await build({
  entryPoints: [entry],
  outdir: cliDir,
  allowOverwrite: true,
  bundle: true,
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: Object.keys(pkg.dependencies).filter((name) => !inlined.has(name)),
  // Bundled CommonJS (commander) calls require() for node: builtins; an ES module has none of its own.
  banner: { js: "import { createRequire as __cliRequire } from 'node:module';\nconst require = __cliRequire(import.meta.url);" },
  sourcemap: true,
  logLevel: 'warning',
});
chmodSync(entry, 0o755);
