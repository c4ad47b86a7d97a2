// The web UI in a real browser: Debian's chromium (scripts/setup-ci.sh
// installs it) driven headless with puppeteer-core against a real `run start`
// of examples/topology. A person's path: the overview lists the kinds, a kind
// page links to an object, the object page shows its children and the
// ownership graph (SVG with the names as text), an object applied with
// kubectl appears on the open kind page by itself, nothing logs an error.
// Screenshots (light and dark) are saved in the test's temp dir for a person
// to look at; the path is printed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { cp, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';

const run = promisify(execFile);
const repo = fileURLToPath(new URL('../../../', import.meta.url));
const cli = join(repo, 'dist/src/cli/main.js');
const env = { ...process.env, NODE_TEST_CONTEXT: undefined };

function chromiumPath(): string {
  for (const name of ['chromium', 'chromium-browser', 'google-chrome']) {
    try {
      return execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim();
    } catch {
      // try the next name
    }
  }
  throw new Error('no chromium on PATH: run scripts/setup-ci.sh (installs Debian chromium)');
}

let dir = '';
let url = '';
let browser: Browser;
const problems: string[] = [];

async function newPage(): Promise<Page> {
  const page = await browser.newPage();
  await page.setViewport({ width: 1280, height: 860 });
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warn') problems.push(`console ${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e instanceof Error ? e.message : String(e)}`));
  page.on('requestfailed', (r) => {
    // A stream cut by the page navigating away is not a failure.
    if (!r.url().endsWith('/ui/api/stream')) problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`);
  });
  page.on('response', (r) => {
    if (r.status() >= 400) problems.push(`HTTP ${r.status()} ${r.url()}`);
  });
  return page;
}

const texts = (page: Page, sel: string) => page.$$eval(sel, (els) => els.map((e) => e.textContent?.trim() ?? ''));

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'choreo-ui-'));
  await cp(join(repo, 'examples/topology'), join(dir, 'topology'), { recursive: true, filter: (src) => !src.includes('.choreo') });
  await run(process.execPath, [cli, 'run', 'start', join(dir, 'topology')], { env, timeout: 60_000 });
  url = (JSON.parse(await readFile(join(dir, 'topology/.choreo/pid'), 'utf8')) as { url: string }).url;
  browser = await puppeteer.launch({ executablePath: chromiumPath(), headless: true, acceptInsecureCerts: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
});

after(async () => {
  await browser?.close();
  await run(process.execPath, [cli, 'run', 'stop', join(dir, 'topology')], { env, timeout: 60_000 }).catch(() => {});
  if (dir) process.stdout.write(`# web UI screenshots in ${dir}\n`);
});

test('web UI: overview lists the kinds; object page shows children and the graph; a kubectl apply shows up live; no console errors', async () => {
  const page = await newPage();
  await page.goto(`${url}/ui/`, { waitUntil: 'networkidle2' });
  await page.waitForSelector('table.kinds');
  // Reconciles finish shortly after start: wait until the Topology counts as ready.
  await page.waitForFunction(() => [...document.querySelectorAll('table.kinds tr')].some((tr) => tr.textContent?.startsWith('Topology') && tr.children[3]?.textContent === '1'), { timeout: 20_000 });
  const kinds = await texts(page, 'table.kinds tbody td:first-child');
  for (const k of ['Topology', 'Node', 'Link', 'IPPool']) assert.ok(kinds.includes(k), `overview lists ${k}: ${kinds.join(', ')}`);
  assert.ok((await texts(page, 'table.reconcilers td:first-child')).includes('topology'), 'overview lists the reconcilers');
  assert.equal(await page.$eval('link[rel=icon]', (l) => (l as HTMLLinkElement).href), `${url}/ui/favicon.svg`);
  await page.screenshot({ path: join(dir, 'overview.png'), fullPage: true });
  // A reconciler's name opens its reconcile history.
  await Promise.all([page.waitForSelector('table.history'), page.click('table.reconcilers a[href="/ui/history?reconciler=node-ipam"]')]);
  const reconcilers = await texts(page, 'table.history tbody td:nth-child(2)');
  assert.ok(reconcilers.length >= 5 && reconcilers.every((r) => r === 'node-ipam'), reconcilers.join(', '));
  await page.goBack();
  await page.waitForSelector('table.kinds');

  // Kind page by an ordinary link, then the object.
  await Promise.all([page.waitForSelector('table.objects tbody tr'), page.click('table.kinds a[href="/ui/kinds/topo.example.dev/Topology"]')]);
  assert.equal(new URL(page.url()).pathname, '/ui/kinds/topo.example.dev/Topology');
  await Promise.all([page.waitForSelector('svg.graph'), page.click('table.objects a[href="/ui/objects/topo.example.dev/Topology/default/dc1"]')]);
  assert.equal(new URL(page.url()).pathname, '/ui/objects/topo.example.dev/Topology/default/dc1');
  const children = await texts(page, 'section[data-section=Children] ul.links li a');
  for (const n of ['default/dc1-spine1', 'default/dc1-leaf3', 'default/dc1-leaf1-spine1']) assert.ok(children.includes(n), `children list ${n}: ${children.join(', ')}`);
  const graphNames = await texts(page, 'svg.graph text.name');
  assert.ok(graphNames.includes('dc1') && graphNames.includes('dc1-spine2') && graphNames.includes('dc1-leaf2-spine2'), `graph names: ${graphNames.join(', ')}`);
  assert.ok(await page.$('svg.graph a.node.ready[href="/ui/objects/topo.example.dev/Node/default/dc1-spine2"]'), 'graph nodes link to objects, coloured ready');
  const fields = await texts(page, 'ul.fields .manager');
  assert.ok(fields.includes('topology (status)') && fields.includes('inputfileloader'), `field owners: ${[...new Set(fields)].join(', ')}`);
  const history = await texts(page, 'table.history tbody tr');
  assert.ok(history.some((r) => r.includes('topology') && r.includes('Ready')), `reconcile history: ${history.join(' | ')}`);
  assert.ok(!(await page.$eval('pre.yaml', (p) => p.textContent ?? '')).includes('managedFields'), 'managedFields hidden by default');
  await page.click('label.toggle input');
  assert.ok((await page.$eval('pre.yaml', (p) => p.textContent ?? '')).includes('managedFields'), 'managedFields shown on request');
  await page.screenshot({ path: join(dir, 'object.png'), fullPage: true });
  await page.emulateMediaFeatures([{ name: 'prefers-color-scheme', value: 'dark' }]);
  await page.screenshot({ path: join(dir, 'object-dark.png'), fullPage: true });
  await page.emulateMediaFeatures([{ name: 'prefers-color-scheme', value: 'light' }]);
  // The graph around this object on a page of its own, then a node's link to its object.
  await Promise.all([page.waitForSelector('h1 .muted.small'), page.click('section[data-section=Graph] p a')]);
  assert.equal(await page.$eval('h1', (e) => e.textContent), 'Ownership graph around dc1');
  await Promise.all([page.waitForSelector('section[data-section=Owners] a'), page.click('svg.graph a[href="/ui/objects/topo.example.dev/Link/default/dc1-leaf2-spine1"]')]);
  assert.deepEqual(await texts(page, 'section[data-section=Owners] a'), ['default/dc1']);

  // Live: a Node applied with kubectl appears on the open Node page without a reload.
  await Promise.all([page.waitForSelector('table.objects tbody tr'), page.goto(`${url}/ui/kinds/topo.example.dev/Node`)]);
  await page.waitForSelector('.live.on');
  const manifest = join(dir, 'extra.yaml');
  await writeFile(manifest, 'apiVersion: topo.example.dev/v1alpha1\nkind: Node\nmetadata: {name: extra, namespace: default}\nspec: {topology: dc1, pool: underlay, role: leaf}\n');
  await run('kubectl', ['--kubeconfig', join(dir, 'topology/.choreo/kubeconfig'), '--cache-dir', join(dir, 'kubecache'), 'apply', '-f', manifest], { env, timeout: 60_000 });
  const applied = performance.now();
  await page.waitForSelector('table.objects tr[data-name="extra"]', { timeout: 5_000 });
  const seenMs = performance.now() - applied;
  process.stdout.write(`# live: the applied Node appeared after ${seenMs.toFixed(0)} ms\n`);
  assert.ok(seenMs < 2_000, `the new object appeared after ${seenMs.toFixed(0)} ms`);
  // The filter narrows the list and survives live refreshes.
  await page.type('.toolbar input[type=search]', 'spine');
  const names = async () => (await texts(page, 'table.objects tbody tr td:nth-child(2)')).sort();
  assert.deepEqual(await names(), ['dc1-spine1', 'dc1-spine2']);
  await run('kubectl', ['--kubeconfig', join(dir, 'topology/.choreo/kubeconfig'), '--cache-dir', join(dir, 'kubecache'), 'label', 'node.topo.example.dev', 'dc1-spine1', 'seen=yes'], { env, timeout: 60_000 });
  await new Promise((r) => setTimeout(r, 600));
  assert.deepEqual(await names(), ['dc1-spine1', 'dc1-spine2']);
  assert.equal(await page.$eval('.toolbar input[type=search]', (i) => (i as HTMLInputElement).value), 'spine');

  // The whole graph.
  await Promise.all([page.waitForSelector('svg.graph'), page.click('nav.top a[href="/ui/graph"]')]);
  assert.ok((await texts(page, 'svg.graph text.name')).includes('underlay'));
  await page.screenshot({ path: join(dir, 'graph.png'), fullPage: true });
  await page.close();
  assert.deepEqual(problems, []);
});

test('run once --html: one self-contained file shows the overview, graph and history without any network', async () => {
  const file = join(dir, 'topology.html');
  await run(process.execPath, [cli, 'run', 'once', join(repo, 'examples/topology'), '--html', file], { env, timeout: 60_000 });
  const page = await newPage();
  const requests: string[] = [];
  page.on('request', (r) => {
    if (!r.url().startsWith('file:') && !r.url().startsWith('data:')) requests.push(r.url());
  });
  await page.goto(`file://${file}`, { waitUntil: 'load' });
  await page.waitForSelector('table.kinds');
  const kinds = await texts(page, 'table.kinds tbody td:first-child');
  for (const k of ['Topology', 'Node', 'Link']) assert.ok(kinds.includes(k), kinds.join(', '));
  assert.equal(await page.$eval('.live', (e) => e.textContent), 'snapshot');
  await Promise.all([page.waitForSelector('svg.graph'), page.click('nav.top a[href="#/graph"]')]);
  assert.ok((await texts(page, 'svg.graph text.name')).includes('dc1-leaf1-spine1'));
  await Promise.all([page.waitForSelector('table.history'), page.click('nav.top a[href="#/history"]')]);
  const rows = await texts(page, 'table.history tbody tr');
  assert.ok(rows.some((r) => r.includes('topology') && r.includes('Topology')), rows.slice(0, 3).join(' | '));
  // An object's page from the graph's link.
  await Promise.all([page.waitForSelector('section[data-section=Owners] a'), page.goto(`file://${file}#/objects/topo.example.dev/Link/default/dc1-leaf1-spine1`)]);
  assert.deepEqual(await texts(page, 'section[data-section=Owners] a'), ['default/dc1']);
  await page.screenshot({ path: join(dir, 'snapshot.png'), fullPage: true });
  await page.close();
  assert.deepEqual(requests, [], 'no network requests');
  assert.deepEqual(problems, []);
});

test('server start with a token: the UI asks for it once, keeps it out of the URL, and lists what kubectl applied', async () => {
  const kubeconfig = join(dir, 'server.kubeconfig');
  const server = execFile(process.execPath, [cli, 'server', 'start', '--port', '0', '--token', 'sesame-42', '--kubeconfig', kubeconfig], { env });
  try {
    const serverUrl = await new Promise<string>((resolve, reject) => {
      let out = '';
      server.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /listening on (https:\/\/\S+)/.exec(out);
        if (m) resolve(m[1]!);
      });
      server.once('exit', (code) => reject(new Error(`server start exited with ${code}: ${out}`)));
    });
    await writeFile(join(dir, 'cm.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings, namespace: default}\ndata: {mode: fast}\n');
    await run('kubectl', ['--kubeconfig', kubeconfig, '--cache-dir', join(dir, 'kubecache2'), 'apply', '-f', join(dir, 'cm.yaml')], { env, timeout: 60_000 });
    const context = await browser.createBrowserContext();
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`${serverUrl}/ui/`);
    await page.waitForSelector('form.token input[type=password]');
    await page.type('form.token input', 'sesame-42');
    await Promise.all([page.waitForSelector('table.kinds'), page.click('form.token button')]);
    assert.ok((await texts(page, 'table.kinds tbody td:first-child')).includes('ConfigMap'));
    assert.equal(await page.evaluate(() => sessionStorage.getItem('choreo.token')), 'sesame-42');
    await Promise.all([page.waitForSelector('table.objects tr[data-name="settings"]'), page.click('table.kinds a[href="/ui/kinds/core/ConfigMap"]')]);
    assert.ok(!page.url().includes('sesame'), page.url());
    await page.reload();
    await page.waitForSelector('table.objects tr[data-name="settings"]');
    assert.equal(await page.$('form.token'), null, 'asked only once per tab');
    await context.close();
    assert.deepEqual(errors, []);
  } finally {
    server.kill('SIGTERM');
  }
});
