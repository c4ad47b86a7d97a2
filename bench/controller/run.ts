// Work-queue throughput: adds + processing per second through (1) the bare
// WorkQueue with async workers, (2) a full Controller (queue + workers +
// outcome handling + metrics) and (3) a hand-written minimal baseline (array +
// Set dedupe + waiting resolvers, no exclusivity, no delays), with 1 and 2
// workers, in the same process. Every key is added twice per round (dedupe
// exercised); each round waits until all work is processed.
//
//   node dist/bench/controller/run.js [keys=5000] [rounds=40]

import { Controller } from '../../src/controller/controller.js';
import { WorkQueue } from '../../src/controller/workqueue.js';

const KEYS = Number(process.argv[2] ?? 5000);
const ROUNDS = Number(process.argv[3] ?? 40);
const keys = Array.from({ length: KEYS }, (_, i) => `ns/obj-${i}`);

/** The minimal baseline: FIFO array + Set for dedupe, resolvers to wake idle workers. */
class Baseline {
  private q: string[] = [];
  private head = 0;
  private set = new Set<string>();
  private waiters: Array<() => void> = [];
  add(k: string): void {
    if (this.set.has(k)) return;
    this.set.add(k);
    this.q.push(k);
    this.waiters.pop()?.();
  }
  async get(): Promise<string> {
    while (this.head >= this.q.length) await new Promise<void>((r) => this.waiters.push(r));
    const k = this.q[this.head++];
    if (this.head === this.q.length) {
      this.q = [];
      this.head = 0;
    }
    this.set.delete(k);
    return k;
  }
}

async function runBaseline(workers: number): Promise<{ ms: number; processed: number }> {
  const b = new Baseline();
  let processed = 0;
  let target = 0;
  let onDone: (() => void) | undefined;
  const reconcile = async (_k: string) => {};
  for (let w = 0; w < workers; w++) {
    void (async () => {
      for (;;) {
        const k = await b.get();
        await reconcile(k);
        if (++processed === target) onDone?.();
      }
    })();
  }
  const t0 = performance.now();
  for (let r = 0; r < ROUNDS; r++) {
    target = processed + KEYS;
    const done = new Promise<void>((res) => (onDone = res));
    for (const k of keys) b.add(k);
    for (const k of keys) b.add(k);
    await done;
  }
  return { ms: performance.now() - t0, processed };
}

async function runQueue(workers: number): Promise<{ ms: number; processed: number }> {
  const q = new WorkQueue();
  let processed = 0;
  const reconcile = async (_k: string) => {};
  const loops: Promise<void>[] = [];
  for (let w = 0; w < workers; w++) {
    loops.push(
      (async () => {
        for (;;) {
          const k = q.tryGet() ?? (await q.get());
          if (k === undefined) return;
          await reconcile(k);
          processed++;
          q.done(k);
        }
      })(),
    );
  }
  const t0 = performance.now();
  for (let r = 0; r < ROUNDS; r++) {
    for (const k of keys) q.add(k);
    for (const k of keys) q.add(k);
    await q.whenIdle();
  }
  const ms = performance.now() - t0;
  q.shutdown();
  await Promise.all(loops);
  return { ms, processed };
}

async function runController(workers: number): Promise<{ ms: number; processed: number }> {
  let processed = 0;
  const c = new Controller('bench', { reconcile: async () => void processed++ }, { workers });
  c.start();
  const t0 = performance.now();
  for (let r = 0; r < ROUNDS; r++) {
    for (const k of keys) c.queue.add(k);
    for (const k of keys) c.queue.add(k);
    await c.idle();
  }
  const ms = performance.now() - t0;
  await c.stop();
  return { ms, processed };
}

function rate(adds: number, ms: number): string {
  return `${((adds / ms) * 1000 / 1e6).toFixed(2)} M adds/s`;
}

async function main(): Promise<void> {
  const adds = KEYS * 2 * ROUNDS;
  console.log(`work queue throughput: ${KEYS} keys × 2 adds × ${ROUNDS} rounds = ${adds} adds, ${KEYS * ROUNDS} reconciles (no-op async)`);
  for (const workers of [1, 2]) {
    // The three paths run interleaved (warm-up round first), best of 5 each, so machine noise hits them alike.
    const paths = [runBaseline, runQueue, runController];
    const best = [Infinity, Infinity, Infinity];
    for (let round = 0; round <= 5; round++) {
      for (let i = 0; i < paths.length; i++) {
        const r = await paths[i](workers);
        if (r.processed !== KEYS * ROUNDS) throw new Error(`expected ${KEYS * ROUNDS} reconciles, got ${r.processed}`);
        if (round > 0) best[i] = Math.min(best[i], r.ms);
      }
    }
    const [base, queue, ctrl] = best;
    console.log(`workers=${workers}`);
    console.log(`  baseline (array+Set)  ${base.toFixed(1).padStart(8)} ms  ${rate(adds, base)}`);
    console.log(`  WorkQueue             ${queue.toFixed(1).padStart(8)} ms  ${rate(adds, queue)}  ratio ${(queue / base).toFixed(2)}× baseline time`);
    console.log(`  Controller            ${ctrl.toFixed(1).padStart(8)} ms  ${rate(adds, ctrl)}  ratio ${(ctrl / base).toFixed(2)}× baseline time`);
  }
}

await main();
