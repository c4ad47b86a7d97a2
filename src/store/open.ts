// Opening a store from the user's spelling of it, shared by every command that
// takes --store: "memory", "file:<dir>", or "etcd://host:port[,host:port][/prefix]".

import { resolve } from 'node:path';
import { describeRecovery, FileStore } from './file.js';
import { MemoryStore } from './memory.js';
import type { Store } from './store.js';

export interface OpenStoreOptions {
  /** Where what opening found worth telling goes (a cut log tail); default stderr. */
  log?: (line: string) => void;
}

/** Opens the store a --store value names (memory when absent). */
export async function openStore(spec: string | undefined, opts: OpenStoreOptions = {}): Promise<Store> {
  if (!spec || spec === 'memory') return new MemoryStore();
  if (spec.startsWith('file:')) {
    const dir = resolve(spec.slice('file:'.length));
    const store = await FileStore.open(dir);
    const report = describeRecovery(dir, store.recovery);
    if (report) (opts.log ?? ((l: string) => process.stderr.write(`${l}\n`)))(report);
    return store;
  }
  if (spec.startsWith('etcd://')) {
    // Loaded on demand so memory/file runs never load the gRPC client.
    const { EtcdStore, parseEtcdSpec } = await import('./etcd.js');
    return EtcdStore.open(parseEtcdSpec(spec));
  }
  throw new Error(`unknown store ${JSON.stringify(spec)}: want memory, file:<dir> or etcd://host:port[,host:port]`);
}

