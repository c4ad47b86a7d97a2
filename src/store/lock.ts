// A directory lock so two processes never open the same file store: a LOCK file
// holding the owner's pid, created atomically (written to a temp name, then
// hard-linked into place, which fails if LOCK exists), removed on close.
//
// A process killed with -9 cannot remove its LOCK, so a lock whose pid is no
// longer running is stale and taken over. The trade-off against an OS lock
// (flock, which Node lacks) is a narrow race when two processes take over the
// same stale lock at the same instant, and a false "in use" if the dead owner's
// pid has been reused; both are rare and the error names the file to remove.

import { promises as fs, readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { StoreError } from './store.js';

/**
 * Is the process alive? A process killed with -9 whose parent has not reaped it
 * yet (a zombie, common under container init processes that do not reap) is
 * not: it holds nothing any more.
 */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.charAt(stat.lastIndexOf(')') + 2) !== 'Z';
  } catch {
    return true; // no procfs: trust kill(0)
  }
}

/** Takes the lock on `dir`; the returned function releases it. */
export async function lockDirectory(dir: string): Promise<() => Promise<void>> {
  const file = path.join(dir, 'LOCK');
  const tmp = path.join(dir, `LOCK.${process.pid}.${randomUUID()}.tmp`);
  const me = String(process.pid);
  await fs.writeFile(tmp, me);
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        await fs.link(tmp, file);
        break;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw err;
      }
      const holder = Number((await fs.readFile(file, 'utf8').catch(() => '')).trim());
      if (Number.isSafeInteger(holder) && holder > 0 && isRunning(holder)) {
        throw new StoreError(
          'Unavailable',
          `store directory ${dir} is in use by process ${holder}${holder === process.pid ? ' (this process)' : ''}; only one process may open it (lock file ${file})`,
        );
      }
      await fs.rm(file, { force: true }); // stale: its owner is gone
    }
  } finally {
    await fs.rm(tmp, { force: true });
  }
  return async () => {
    if ((await fs.readFile(file, 'utf8').catch(() => '')) === me) await fs.rm(file, { force: true });
  };
}
