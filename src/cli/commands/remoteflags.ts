// The kubeconfig-mode flags of `run once` / `run start`: which API server to
// run the project against (kubectl's --kubeconfig / --context rules), the
// client-side rate limit, and for `run start` the leader election timings.
// Flags only (start-up): the runner reads them through remoteOf / electionOf.
import type { Command } from 'commander';

export interface RemoteFlags {
  /** A file, or true for `--kubeconfig` without one ($KUBECONFIG, else ~/.kube/config). */
  kubeconfig?: string | true;
  context?: string;
  qps?: string;
  burst?: string;
}

export interface ElectionFlags {
  leaderElect: boolean;
  leaseDuration: string;
  renewDeadline: string;
  retryPeriod: string;
  leaseNamespace?: string;
}

export function remoteOptions(cmd: Command): Command {
  return cmd
    .option('--kubeconfig [file]', 'run against the API server this kubeconfig names instead of an own one (no file: $KUBECONFIG, else ~/.kube/config)')
    .option('--context <name>', 'kubeconfig context to use (implies --kubeconfig; default: its current-context)')
    .option('--qps <n>', 'with --kubeconfig: requests per second to the API server (0 = unlimited)', '50')
    .option('--burst <n>', 'with --kubeconfig: requests allowed at once after an idle period', '100');
}

export function electionOptions(cmd: Command): Command {
  return cmd
    .option('--no-leader-elect', 'with --kubeconfig: reconcile without electing a leader (only one runner per project!)')
    .option('--lease-duration <d>', 'leader election: how long a Lease holds without renewal (e.g. 15s)', '15s')
    .option('--renew-deadline <d>', 'leader election: the leader stops reconciling when it could not renew for this long', '10s')
    .option('--retry-period <d>', 'leader election: time between acquire/renew attempts', '2s')
    .option('--lease-namespace <ns>', 'leader election: namespace of the Lease (default: the context\'s namespace)');
}

/** "15s", "500ms", "1m" or a number of seconds, in ms. */
export function durationMs(flag: string, v: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(v.trim());
  if (!m) throw new Error(`${flag}: want a duration such as 15s or 500ms, got ${JSON.stringify(v)}`);
  const n = Number(m[1]);
  return m[2] === 'ms' ? n : m[2] === 'm' ? n * 60_000 : n * 1000;
}

function count(flag: string, v: string | undefined, dflt: number): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${flag}: want a number ≥ 0, got ${JSON.stringify(v)}`);
  return n;
}

/** The remote options when a kubeconfig flag was given, else undefined (in-process mode). */
export function remoteOf(o: RemoteFlags): { kubeconfig?: string; context?: string; rateLimit: { qps: number; burst: number } } | undefined {
  if (o.kubeconfig === undefined && o.context === undefined) return undefined;
  return {
    kubeconfig: typeof o.kubeconfig === 'string' ? o.kubeconfig : undefined,
    context: o.context,
    rateLimit: { qps: count('--qps', o.qps, 50), burst: Math.max(1, count('--burst', o.burst, 100)) },
  };
}

export function electionOf(o: ElectionFlags): { leaseDurationMs: number; renewDeadlineMs: number; retryPeriodMs: number; namespace?: string } | false {
  if (!o.leaderElect) return false;
  return {
    leaseDurationMs: durationMs('--lease-duration', o.leaseDuration),
    renewDeadlineMs: durationMs('--renew-deadline', o.renewDeadline),
    retryPeriodMs: durationMs('--retry-period', o.retryPeriod),
    namespace: o.leaseNamespace,
  };
}

/** The flags again, for the background `run start` process. */
export function remoteArgs(o: RemoteFlags & ElectionFlags): string[] {
  const args: string[] = [];
  if (typeof o.kubeconfig === 'string') args.push('--kubeconfig', o.kubeconfig);
  else if (o.kubeconfig === true) args.push('--kubeconfig');
  if (o.context !== undefined) args.push('--context', o.context);
  if (o.qps !== undefined) args.push('--qps', o.qps);
  if (o.burst !== undefined) args.push('--burst', o.burst);
  if (!o.leaderElect) args.push('--no-leader-elect');
  args.push('--lease-duration', o.leaseDuration, '--renew-deadline', o.renewDeadline, '--retry-period', o.retryPeriod);
  if (o.leaseNamespace !== undefined) args.push('--lease-namespace', o.leaseNamespace);
  return args;
}
