// Opening a store from the user's spelling of it, shared by every command that
// takes --store: "memory", "file:<dir>", or "etcd://host:port[,host:port][/prefix]".

import { resolve } from 'node:path';
import { FileStore } from './file.js';
import { MemoryStore } from './memory.js';
import type { Store } from './store.js';

/** Opens the store a --store value names (memory when absent). */
export async function openStore(spec: string | undefined): Promise<Store> {
  if (!spec || spec === 'memory') return new MemoryStore();
  if (spec.startsWith('file:')) return FileStore.open(resolve(spec.slice('file:'.length)));
  if (spec.startsWith('etcd://')) {
    // Loaded on demand so memory/file runs never load the gRPC client.
    const { EtcdStore, parseEtcdSpec } = await import('./etcd.js');
    return EtcdStore.open(parseEtcdSpec(spec));
  }
  throw new Error(`unknown store ${JSON.stringify(spec)}: want memory, file:<dir> or etcd://host:port[,host:port]`);
}

