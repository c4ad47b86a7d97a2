// Bundles the web UI's browser code after tsc: src/ui/web/main.ts (with
// @dagrejs/dagre) → dist/ui-assets/app.js, minified, plus app.css and
// favicon.svg. The server (src/ui/assets.ts) serves these files from the
// package and `run once --html` inlines them: no CDN, works offline.
// Prints the sizes (raw and gzip) so a change that bloats the page shows.
//
// The browser code is type-checked by `tsc -p src/ui/web` (DOM types; the
// main tsconfig is Node's and excludes src/ui/web); esbuild only strips types.

import { build } from 'esbuild';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));
const out = `${root}dist/ui-assets/`;
mkdirSync(out, { recursive: true });
await build({
  entryPoints: [{ in: `${root}src/ui/web/main.ts`, out: 'app' }, { in: `${root}src/ui/web/style.css`, out: 'app' }],
  outdir: out,
  bundle: true,
  minify: true,
  format: 'esm',
  platform: 'browser',
  target: ['chrome100', 'firefox100', 'safari15'],
  legalComments: 'none',
  logLevel: 'warning',
});
copyFileSync(`${root}src/ui/web/favicon.svg`, `${out}favicon.svg`);
const size = (f) => {
  const b = readFileSync(`${out}${f}`);
  return `${f} ${(b.length / 1024).toFixed(1)} KiB (${(gzipSync(b).length / 1024).toFixed(1)} KiB gzip)`;
};
if (process.env.CHOREO_BUILD_QUIET !== '1') console.log(`web UI: ${size('app.js')}, ${size('app.css')}`);
