// Timing one whole process from outside, for the benchmarks that compare
// start-up-inclusive times (bench/startup, bench/starlark).
//
// Key idea: bash runs the command and reports its wall time (EPOCHREALTIME
// around it) and its CPU time (`times`: the shell's own line, then its
// children's user and system, which the kernel accounts per child). On a
// shared machine wall time also counts waiting for a core, CPU time does not,
// so both are reported. The command's stdout goes to the file given as the
// first argument (/dev/null to drop it).

export interface Sample {
  wallMs: number;
  cpuMs: number;
}

/** bash -c TIMER bash OUTFILE CMD ARGS... */
export const timerScript = 'out=$1; shift; t0=$EPOCHREALTIME; "$@" >"$out"; rc=$?; t1=$EPOCHREALTIME; times; echo "$t0 $t1"; exit $rc';

function seconds(s: string): number {
  const m = /^(\d+)m([\d.]+)s$/.exec(s);
  if (!m) throw new Error(`unexpected output of bash times: ${s}`);
  return Number(m[1]) * 60 + Number(m[2]);
}

/** The Sample in the timer's stdout. */
export function parseTimer(stdout: string): Sample {
  const [, children, clock] = stdout.trim().split('\n');
  const [user, sys] = children!.split(' ');
  const [t0, t1] = clock!.split(' ').map(Number);
  return { wallMs: (t1! - t0!) * 1000, cpuMs: (seconds(user!) + seconds(sys!)) * 1000 };
}
