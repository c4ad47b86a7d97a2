// Soak (issue 18, "Done when"): a real `choreoctl run start` (file store) runs
// for a few minutes under normal traffic — kubectl-like creates, updates,
// lists and watches, HelloWorld reconciles of examples/hello, real kubectl
// now and then — while the hostile cases of issue 18 (hostile.ts) hit it one
// after another. It prints requests served, /healthz p50/p99, RSS start/end,
// reconciles done, errors by class and each hostile case's outcome.
//
// It is a script, not a test: it reports, it does not assert. It must never
// hang: every request has a deadline, a server that stops answering /healthz
// for 30 s is killed, a dead server is restarted, a server that dies again
// within 20 s of starting (a crash loop) ends the soak early, and a hard
// deadline ends everything. The hostile cases are spread over the first 80%
// of the duration; the soak waits for the last one to finish.
//
// Run: npm run bench:soak -- [--duration 180] [--workers N] [--heap-mib 2048] [--keep]

import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Client, percentile } from './client.js';
import { hostileCases } from './hostile.js';
import { writeSoakProject } from './project.js';
import { describeExit, SoakServer, sleep, withApiOnly } from './server.js';

const { values: flags } = parseArgs({
  options: {
    duration: { type: 'string', default: '180' },
    keep: { type: 'boolean', default: false },
    workers: { type: 'string' }, // default: run start's
    // The server's V8 heap limit: a small container's, so the memory bomb hits it fast and the
    // soak stays polite on a shared machine; 0 = Node's default.
    'heap-mib': { type: 'string', default: '2048' },
  },
});
const durationMs = Number(flags.duration) * 1000;
if (!(durationMs > 0)) throw new Error(`--duration: want seconds > 0, got ${flags.duration}`);

const repo = fileURLToPath(new URL('../../../', import.meta.url));
const cli = join(repo, 'dist/src/cli/main.js');
const dir = await mkdtemp(join(tmpdir(), 'choreo-soak-'));
await writeSoakProject(repo, dir);

const heapMiB = Number(flags['heap-mib']);
const server = new SoakServer(cli, dir, flags.workers ? ['--workers', flags.workers] : [], heapMiB > 0 ? [`--max-old-space-size=${heapMiB}`] : []);
const client = new Client(server);
const events: string[] = [];
const hostileOutcomes: [string, string][] = [];
let running = true;
let restarts = 0;
let lastStart = Date.now();
const t0 = Date.now();
const since = () => `${((Date.now() - t0) / 1000).toFixed(1)} s`;
const note = (s: string) => {
  events.push(`${since()}: ${s}`);
  process.stderr.write(`[soak ${since()}] ${s}\n`);
};

// A hard deadline: whatever happens, report and end.
const hardDeadline = setTimeout(() => {
  note('hard deadline reached: killing the server and reporting what we have');
  void finish(true);
}, durationMs + 180_000);

await server.start().then(() => (lastStart = Date.now()), (err: Error) => {
  note(`server did not start: ${err.message}`);
  running = false;
});
const rssStart = server.rssMiB();
let rssLast = rssStart;
let rssMax = rssStart ?? 0;
if (running) note(`server pid ${server.pid} serving ${server.url}, RSS ${rssStart} MiB`);

/** Resolves when the server is serving again (or the soak is over). */
async function serverUp(): Promise<boolean> {
  while (running && !server.serving) await sleep(100);
  return running;
}

// ---------------------------------------------------------------------------
// Supervision: restart a dead server; a crash loop ends the soak.

async function supervise(): Promise<void> {
  while (running) {
    const exit = await server.exited;
    if (!running) return;
    const heap = exit.tail.find((l) => /FATAL ERROR|Reached heap limit|out of memory/i.test(l));
    note(`server died (${describeExit(exit)})${heap ? `: ${heap.trim().slice(0, 160)}` : ''}; last output: ${exit.tail.slice(-2).join(' | ').slice(0, 300)}`);
    if (restarts >= 4) {
      note('4 restarts already: ending the soak');
      running = false;
      return;
    }
    restarts++;
    // Dying again soon after a start is a crash loop: the object that kills it is still stored.
    if (Date.now() - lastStart < 40_000) {
      note(`crash loop: died ${((Date.now() - lastStart) / 1000).toFixed(1)} s after starting`);
      if (!(await repair())) return;
    }
    if (await restart()) continue;
    if ((await repair()) && (await restart())) continue;
    note('cannot get the server running again: ending the soak');
    running = false;
    return;
  }
}

async function restart(): Promise<boolean> {
  try {
    await server.start();
    lastStart = Date.now();
    note(`restarted: pid ${server.pid}`);
    return true;
  } catch (err) {
    note(`restart failed: ${(err as Error).message}; last output: ${server.tail(2).join(' | ').slice(0, 300)}`);
    return false;
  }
}

/** Deletes every Hazard through the API-only `server start` on the same store (the soak's own recovery, reported). */
async function repair(): Promise<boolean> {
  try {
    let removed = 0;
    await withApiOnly(cli, join(dir, '.choreo/store'), join(dir, 'repair.kubeconfig'), async (url, token) => {
      const headers = { ...(token ? { Authorization: `Bearer ${token}` } : {}), 'Content-Type': 'application/merge-patch+json' };
      const path = `${url}/apis/example.com/v1alpha1/namespaces/default/hazards`;
      const list = (await (await fetch(path, { headers, signal: AbortSignal.timeout(10_000) })).json()) as { items?: { metadata: { name: string } }[] };
      for (const h of list.items ?? []) {
        await fetch(`${path}/${h.metadata.name}`, { method: 'PATCH', headers, body: '{"metadata":{"finalizers":null}}', signal: AbortSignal.timeout(10_000) });
        await fetch(`${path}/${h.metadata.name}`, { method: 'DELETE', headers, signal: AbortSignal.timeout(10_000) });
        removed++;
      }
    });
    note(`repair: removed ${removed} Hazard object(s) through \`choreoctl server start\` (API only) on the same store`);
    return true;
  } catch (err) {
    note(`repair failed: ${(err as Error).message}; ending the soak`);
    running = false;
    return false;
  }
}

/** /healthz every 250 ms; 30 s without an answer while the process lives = hung: kill it (supervise restarts it). */
async function healthz(): Promise<void> {
  let lastOk = Date.now();
  while (running) {
    if (!server.serving) {
      await sleep(250);
      lastOk = Date.now();
      continue;
    }
    if (await client.probe()) lastOk = Date.now();
    else if (Date.now() - lastOk > 30_000 && server.serving) {
      note('server hung: no /healthz answer for 30 s; killing it');
      client.countError('server hung (killed)');
      await server.kill();
    }
    const rss = server.rssMiB();
    if (rss !== undefined) {
      rssLast = rss;
      rssMax = Math.max(rssMax, rss);
    }
    await sleep(250);
  }
}

// ---------------------------------------------------------------------------
// Normal traffic.

const cms = '/api/v1/namespaces/default/configmaps';
const hws = '/apis/example.com/v1alpha1/namespaces/default/helloworlds';
const names = ['Alice', 'Bob', 'Carol', 'Dave', 'Erin', 'Frank'];

async function configMapLane(lane: number): Promise<void> {
  for (let n = 1; await serverUp(); n++) {
    const name = `soak-cm-${lane}-${n}`;
    await client.call('normal', 'POST', cms, JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels: { soak: String(lane) } }, data: { n: String(n) } }));
    await client.call('normal', 'GET', `${cms}/${name}`);
    await client.call('normal', 'PATCH', `${cms}/${name}`, JSON.stringify({ data: { patched: 'yes' } }), { contentType: 'application/merge-patch+json' });
    if (n % 5 === 0) await client.call('normal', 'GET', `${cms}?labelSelector=soak%3D${lane}&limit=100`);
    if (n > 40) await client.call('normal', 'DELETE', `${cms}/soak-cm-${lane}-${n - 40}`);
    await sleep(20);
  }
}

/** HelloWorlds created, re-specified and deleted: each a reconcile creating or collecting Greetings. */
async function helloLane(): Promise<void> {
  for (let n = 1; await serverUp(); n++) {
    const recipients = names.slice(0, 1 + (n % 3));
    await client.call('normal', 'POST', hws, JSON.stringify({ apiVersion: 'example.com/v1alpha1', kind: 'HelloWorld', metadata: { name: `soak-hw-${n}` }, spec: { recipients } }));
    if (n > 3) await client.call('normal', 'PATCH', `${hws}/soak-hw-${n - 3}`, JSON.stringify({ spec: { greeting: `hi ${n}`, recipients: names.slice(0, 1 + ((n + 1) % 4)) } }), { contentType: 'application/merge-patch+json' });
    if (n > 25) await client.call('normal', 'DELETE', `${hws}/soak-hw-${n - 25}`);
    await sleep(100);
  }
}

async function listLane(): Promise<void> {
  while (await serverUp()) {
    await client.call('normal', 'GET', '/apis/example.com/v1alpha1/namespaces/default/greetings');
    await client.call('normal', 'GET', hws);
    await client.call('normal', 'GET', '/api/v1/namespaces');
    await sleep(300);
  }
}

/** Reading watches on the reconciled kinds; counts reconciles by the Ready condition's observedGeneration advancing. */
const seenGenerations = new Map<string, string>();
let reconcilesSeen = 0;
let watchEvents = 0;
async function watchLane(path: string): Promise<void> {
  while (await serverUp()) {
    try {
      const res = await fetch(`${client.base}${path}?watch=true&allowWatchBookmarks=true`, { headers: client.auth(), signal: AbortSignal.timeout(60_000) });
      client.served.normal++;
      let buf = '';
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        buf += Buffer.from(chunk).toString();
        let nl: number;
        while ((nl = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, nl);
          buf = buf.slice(nl + 1);
          if (!line.trim()) continue;
          watchEvents++;
          const ev = JSON.parse(line) as { type: string; object: { metadata: { name: string; uid: string }; status?: { conditions?: { type: string; status: string; observedGeneration?: number }[] } } };
          const ready = ev.object.status?.conditions?.find((c) => c.type === 'Ready');
          if (!ready || ev.type === 'DELETED') continue;
          const k = `${path} ${ev.object.metadata.uid}`;
          const v = `${ready.observedGeneration}/${ready.status}`;
          if (seenGenerations.get(k) !== v) {
            seenGenerations.set(k, v);
            reconcilesSeen++;
          }
        }
        if (!running) break;
      }
    } catch (err) {
      if (running && server.alive && (err as Error).name !== 'TimeoutError') client.countError(`normal: watch ended: ${(err as Error).message}`);
    }
    await sleep(300);
  }
}

/** Real kubectl every 15 s. */
async function kubectlLane(): Promise<void> {
  while (await serverUp()) {
    const r = await new Promise<{ code: number; err: string }>((resolve) =>
      execFile('kubectl', ['--kubeconfig', server.kubeconfig, '--cache-dir', join(dir, 'kubecache'), 'get', 'helloworlds,greetings', '-o', 'name'], { timeout: 20_000, env: { PATH: process.env.PATH ?? '', HOME: dir } }, (err, _out, stderr) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, err: String(stderr).split('\n')[0] }),
      ),
    );
    if (r.code === 0) client.served.normal++;
    else client.countError(`normal: kubectl get failed: ${r.err.slice(0, 100)}`);
    for (let i = 0; i < 60 && running; i++) await sleep(250);
  }
}

// ---------------------------------------------------------------------------
// Hostile cases, spread over the run (the ones that kill today's server last).

async function hostileLane(): Promise<void> {
  const slots = hostileCases.length;
  for (let i = 0; i < slots && running; i++) {
    const at = t0 + ((i + 1) / (slots + 1)) * durationMs * 0.8;
    while (running && Date.now() < at) await sleep(100);
    if (!(await serverUp())) break;
    const c = hostileCases[i];
    note(`hostile: ${c.name}`);
    const outcome = await Promise.race([c.run(client).catch((err: Error) => `FAIL: threw ${err.message}`), sleep(90_000).then(() => 'FAIL: no outcome within 90 s')]);
    hostileOutcomes.push([c.name, outcome]);
    note(`hostile: ${c.name} → ${outcome}`);
  }
  for (const c of hostileCases.slice(hostileOutcomes.length)) hostileOutcomes.push([c.name, 'not run (the soak ended first)']);
  hostileDone = true;
}
let hostileDone = false;

// ---------------------------------------------------------------------------

let finished = false;
async function finish(hard = false): Promise<void> {
  if (finished) return;
  finished = true;
  running = false;
  clearTimeout(hardDeadline);
  const rssEnd = server.rssMiB() ?? rssLast;
  const stopped = hard ? { exit: await server.kill(), graceful: false } : await server.stop();
  if (!stopped.graceful) note('server did not stop within 15 s of SIGTERM: killed');
  report(rssEnd);
  if (!flags.keep) await rm(dir, { recursive: true, force: true });
  else process.stdout.write(`project and store kept in ${dir}\n`);
  process.exit(0);
}

function report(rssEnd: number | undefined): void {
  const lat = client.healthz.map((h) => h.ms);
  const row = (k: string, v: string) => `  ${k.padEnd(28)} ${v}\n`;
  let out = `\nsoak: ${((Date.now() - t0) / 1000).toFixed(0)} s of ${durationMs / 1000} s, choreoctl run start (file store), --workers ${flags.workers ?? '(default)'}, heap limit ${heapMiB > 0 ? `${heapMiB} MiB` : 'default'}, ${restarts} restart(s)\n`;
  out += row('requests served', `${client.served.normal + client.served.hostile} (normal ${client.served.normal}, hostile ${client.served.hostile})`);
  out += row('/healthz p50 / p99 / max', `${percentile(lat, 50)} / ${percentile(lat, 99)} / ${Math.max(0, ...lat)} ms (${lat.length} probes, ${client.healthzTimeouts} timed out at 5 s)`);
  out += row('RSS start / end / max', `${rssStart ?? '-'} / ${rssEnd ?? '-'} / ${rssMax} MiB`);
  out += row('reconciles done', `${reconcilesSeen} (Ready condition advancing on watches; ${server.reconcileLines} reconcile lines in the server log; ${watchEvents} watch events)`);
  out += '  errors by class:\n';
  const errs = [...client.errors].sort((a, b) => b[1] - a[1]);
  if (errs.length === 0) out += '    none\n';
  for (const [k, v] of errs) out += `    ${String(v).padStart(6)}  ${k}\n`;
  out += '  hostile cases:\n';
  for (const [k, v] of hostileOutcomes) out += `    ${k.padEnd(26)} ${v}\n`;
  out += '  server events:\n';
  for (const e of events) out += `    ${e}\n`;
  process.stdout.write(out);
}

process.on('SIGINT', () => void finish(true));
if (running) {
  const lanes = [supervise(), healthz(), configMapLane(1), configMapLane(2), helloLane(), listLane(), watchLane(hws), watchLane('/apis/example.com/v1alpha1/namespaces/default/hazards'), kubectlLane(), hostileLane()];
  // The duration, and then the hostile case still running (each bounded; see the hard deadline).
  const end = t0 + durationMs;
  while (running && (Date.now() < end || !hostileDone)) await sleep(200);
  running = false;
  await Promise.race([Promise.allSettled(lanes), sleep(15_000)]);
}
await finish();
