// Store benchmark: the memory and file backends side by side on the shared
// workload (workload.ts). Writes one at a time wait for their own fsync on the
// file backend; 100 in flight share fsyncs through group commit. Also file-only
// measures: compaction and reopening (snapshot + log replay).
// Run: npm run bench:store

import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FileStore } from '../../src/store/file.js';
import { MemoryStore } from '../../src/store/memory.js';
import { N, benchStore, compare, key, obj, time } from './workload.js';

const opts = { listRuns: 21, gets: N };
const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'choreo-store-bench-'));
try {
  await benchStore(new MemoryStore(), opts); // warm-up: let the JIT compile the shared code paths first
  const memory = new MemoryStore();
  const mem = await benchStore(memory, opts);
  await memory.close();
  const fileStore = await FileStore.open(dir);
  const file = await benchStore(fileStore, opts);
  file['compact 10k objects (ms)'] = await time(() => fileStore.compact());
  await fileStore.close();
  // Recovery: snapshot plus a log of 10k updates.
  const again = await FileStore.open(dir);
  for (let i = 0; i < N; i += 100) await Promise.all(Array.from({ length: 100 }, (_, j) => again.update(key(i + j), obj(i + j))));
  await again.close();
  file['reopen: snapshot 10k + replay 10k records (ms)'] = await time(async () => (await FileStore.open(dir)).close());
  compare('store benchmark', [['memory', mem], ['file', file]]);
} finally {
  await fs.rm(dir, { recursive: true, force: true });
}
