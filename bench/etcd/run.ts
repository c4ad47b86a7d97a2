// etcd store benchmark: the etcd backend next to the file backend on the shared
// store workload (bench/store/workload.ts) in one run, so the cost of going
// through etcd (a gRPC round trip and a raft commit with fsync per write; every
// read served by etcd) shows as a ratio. etcd is a real single-member etcd
// started on loopback in a temp dir (test/helpers/etcd.ts), i.e. the best case:
// no network, no peers. Run: npm run bench:etcd

import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EtcdStore } from '../../src/store/etcd.js';
import { FileStore } from '../../src/store/file.js';
import { etcdInstalled, startEtcd } from '../../test/helpers/etcd.js';
import { benchStore, compare } from '../store/workload.js';

if (!etcdInstalled()) {
  console.error('etcd is not on PATH: apt-get install -y etcd-server (or run scripts/setup-ci.sh)');
  process.exit(1);
}
const opts = { listRuns: 7, gets: 2000 };
const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'choreo-etcd-bench-'));
const etcd = await startEtcd();
try {
  const fileStore = await FileStore.open(dir);
  const file = await benchStore(fileStore, opts);
  await fileStore.close();
  const etcdStore = await EtcdStore.open({ endpoints: [etcd.endpoint] });
  const onEtcd = await benchStore(etcdStore, opts);
  await etcdStore.close();
  compare('etcd store benchmark (etcd on loopback)', [['file', file], ['etcd', onEtcd]]);
} finally {
  await etcd.stop();
  await fs.rm(dir, { recursive: true, force: true });
}
