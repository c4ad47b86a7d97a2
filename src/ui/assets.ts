// The browser side of the web UI as built by `npm run build`
// (scripts/bundle-ui.mjs bundles src/ui/web/ with esbuild into dist/ui-assets/:
// app.js, app.css, favicon.svg), read once from the package and served from
// memory; plus the HTML shell that loads them.
//
// Key idea: the assets live in the package, found by walking up from this
// module to the folder holding ui-assets/ — the same from tsc's output
// (dist/src/ui/) and from the CLI bundle's chunks (dist/src/cli/chunks/). No
// CDN: the UI works offline. Trade-off: a build without the bundle step has
// no UI; the server then answers with a clear error instead.

import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface UiAssets {
  js: string;
  css: string;
  favicon: string;
}

let cached: UiAssets | undefined;

export function assetsDir(): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'ui-assets');
    if (existsSync(join(candidate, 'app.js'))) return candidate;
    const up = dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}

export function loadAssets(): UiAssets {
  if (cached) return cached;
  const dir = assetsDir();
  if (!dir) throw new Error('the web UI is not built (dist/ui-assets/ is missing): run npm run build');
  const read = (f: string) => readFileSync(join(dir, f), 'utf8');
  cached = { js: read('app.js'), css: read('app.css'), favicon: read('favicon.svg') };
  return cached;
}

/**
 * The page every UI path answers with (the script renders the route): the
 * favicon, style and script by URL from the server, or inlined (`run once --html`).
 */
export function pageHtml(title: string, parts: { icon: string; style: string; script: string } = { icon: '/ui/favicon.svg', style: '<link rel="stylesheet" href="/ui/assets/app.css">', script: '<script type="module" src="/ui/assets/app.js"></script>' }): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>${escapeHtml(title)}</title>
<link rel="icon" type="image/svg+xml" href="${parts.icon}">
${parts.style}
</head>
<body>
<div id="app"></div>
${parts.script}
</body>
</html>
`;
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
