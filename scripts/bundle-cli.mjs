// Bundles choreoctl after tsc: dist/src/cli/main.js (tsc's output) is replaced
// by one ES module holding the entry and every command's registration, with
// each command's implementation in a chunk under dist/src/cli/chunks/, loaded
// by the action's dynamic import() only when that command runs.
//
// Why: Node 20's ES module loader costs ~0.2-0.3 ms per module file (resolve,
// async read, link), and `choreoctl star run` alone needs ~50 of our modules;
// as one file per command start-up fell from ~2.2x to ~1.6x `node -e 0`
// (bench/startup). Node 20 has no module compile cache to take instead.
//
// Trade-off: the bundle is of tsc's JavaScript (same semantics as the modules
// the tests import), npm packages stay external (resolved from node_modules as
// before). Without this step (plain `tsc`) main.js is the unbundled entry and
// behaves the same, only starts slower.

import { build } from 'esbuild';
import { chmodSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cliDir = fileURLToPath(new URL('../dist/src/cli/', import.meta.url));
const entry = `${cliDir}main.js`;

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
  packages: 'external',
  sourcemap: true,
  logLevel: 'warning',
});
chmodSync(entry, 0o755);
