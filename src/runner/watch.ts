// Watching a project's folders for edits (`run start` hot reload, `run once
// --watch`).
//
// Key idea: watch directories, never single files. Editors save either in
// place (one `change` event on the file) or by writing a new file and renaming
// it over the old one (vim, JetBrains, VS Code with some settings): the old
// inode is gone, so a watch on the file itself would go deaf after the first
// save. A directory watch sees both. Every directory of each project folder
// (crds/, libs/, reconcilers/, in/, refs/, wherever the path flags put them)
// gets its own watcher, set up again after every burst of events, so a
// directory created or replaced later (mkdir libs) is watched from then on.
// (Not fs.watch's `recursive`: on Linux, Node 20 emulates it per file and
// loses a file once it has been renamed over.)
// `.choreo/` (the store, the log) is never watched: our own writes there would
// wake us up forever.
//
// Events are debounced: an editor's save is several events (write the temp
// file, rename, chmod) and a `git checkout` hundreds; one quiet period after
// the last of them triggers one callback. Trade-off: a reaction a debounce
// period later than possible, for one reload per save.

import { watch, type FSWatcher } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';

/** How deep below a project folder directories are watched (reconcilers/vendor/<group>/<name>/ nest a few levels). */
const maxDepth = 8;

export interface ProjectWatcher {
  /** Schedules the callback as if a file had changed (e.g. to catch edits made before watching began). */
  changed(): void;
  /** Stops watching; resolves when a callback still running has finished. */
  close(): Promise<void>;
}

/** Editor droppings that are not project files: vim's swap and write-test files, backups. */
function ignored(name: string | null): boolean {
  if (name === null) return false;
  const base = basename(name);
  return base === '4913' || base.endsWith('~') || base.endsWith('.swp') || base.endsWith('.swx') || /^\.#/.test(base) || name.split(/[\\/]/).includes('.choreo');
}

/**
 * Calls `onChange` once after a burst of changes below any of `folders`
 * (created later is fine) or to the entries of `root`. `onChange` is never
 * called concurrently with itself: changes while it runs trigger one more call.
 */
export function watchProject(root: string, folders: string[], onChange: () => Promise<void> | void, debounceMs = 100): ProjectWatcher {
  const watchers = new Map<string, FSWatcher>();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let again = false;
  let closed = false;

  const fire = async () => {
    if (running) {
      again = true;
      return;
    }
    running = (async () => {
      do {
        again = false;
        await syncWatchers();
        await onChange();
      } while (again && !closed);
    })();
    try {
      await running;
    } finally {
      running = undefined;
    }
  };
  const poke = (name: string | null) => {
    if (closed || ignored(name)) return;
    clearTimeout(timer);
    timer = setTimeout(() => void fire().catch(() => {}), debounceMs);
  };

  const add = (dir: string) => {
    try {
      const w = watch(dir, { persistent: false }, (_event, name) => poke(typeof name === 'string' ? name : null));
      // A watched directory deleted or replaced: drop the watcher; the next sync sets a new one up.
      w.on('error', () => {
        w.close();
        if (watchers.get(dir) === w) watchers.delete(dir);
        poke(null);
      });
      watchers.set(dir, w);
    } catch {
      // Gone between the listing and the watch: its parent's watcher sees it come back.
    }
  };

  /** Every directory at or below the project folders (not .choreo, not hidden ones). */
  const directories = async (): Promise<Set<string>> => {
    const out = new Set<string>();
    const walk = async (dir: string, depth: number) => {
      const entries = await readdir(dir, { withFileTypes: true }).catch(() => undefined);
      if (entries === undefined) return;
      out.add(dir);
      if (depth >= maxDepth) return;
      for (const e of entries) if (e.isDirectory() && !e.name.startsWith('.')) await walk(join(dir, e.name), depth + 1);
    };
    for (const f of folders) await walk(resolve(f), 0);
    return out;
  };

  const syncWatchers = async () => {
    const dirs = await directories();
    for (const [dir, w] of watchers) {
      if (dir !== rootDir && !dirs.has(dir)) {
        w.close();
        watchers.delete(dir);
      }
    }
    for (const dir of dirs) if (!watchers.has(dir)) add(dir);
  };

  // The root's entries: a project folder created, removed or replaced is (re)watched at the next sync.
  const rootDir = resolve(root);
  try {
    const w = watch(rootDir, { persistent: false }, (_event, name) => {
      const dir = typeof name === 'string' ? resolve(rootDir, name) : undefined;
      const old = dir === undefined || dir === rootDir ? undefined : watchers.get(dir);
      if (old) {
        old.close();
        watchers.delete(dir!);
      }
      poke(typeof name === 'string' ? name : null);
    });
    w.on('error', () => w.close());
    watchers.set(rootDir, w);
  } catch {
    // No root to watch (a project given only by path flags): the folders' watchers still work.
  }
  void syncWatchers();
  return {
    changed: () => poke(null),
    async close() {
      closed = true;
      clearTimeout(timer);
      for (const w of watchers.values()) w.close();
      watchers.clear();
      await running?.catch(() => {});
    },
  };
}
