// CPU time of another process, for benchmarks that count what etcd (or a
// runner process) spent beside the bench's own process.cpuUsage(): read from
// /proc/<pid>/stat (Linux only; NaN elsewhere or once the process is gone).

import { readFileSync } from 'node:fs';

/** CPU seconds (user + system) a process has used so far. */
export function cpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, in USER_HZ (100) ticks
  } catch {
    return NaN;
  }
}
