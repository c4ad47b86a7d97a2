// The per-reconcile limits a user may raise from the command line: the step
// budget and the memory budget of a Starlark run. `star run` and `run
// once/start` take the same flags with the same defaults, so code that runs
// under `star run` runs the same as a reconcile.
import type { Command } from 'commander';
import { defaultMaxMemoryMiB, defaultMaxSteps } from '../../reconciler/limits.js';

/** A commander parser for a flag that takes a positive number. */
export function positiveNumber(flag: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`${flag}: want a positive number, got ${JSON.stringify(value)}`);
    return n;
  };
}

export interface LimitFlags {
  maxSteps: number;
  maxMemory: number;
}

/** Adds --max-steps and --max-memory (`what` says whose budget: "a reconcile", "the run"). */
export function limitOptions(cmd: Command, what: string): Command {
  return cmd
    .option('--max-steps <n>', `step budget of ${what}: loop iterations, calls and the work of builtins`, positiveNumber('--max-steps'), defaultMaxSteps)
    .option('--max-memory <MiB>', `memory budget of ${what}: MiB of values created`, positiveNumber('--max-memory'), defaultMaxMemoryMiB);
}

/** The flags as the background `run start` process takes them again. */
export function limitArgs(o: LimitFlags): string[] {
  return ['--max-steps', String(o.maxSteps), '--max-memory', String(o.maxMemory)];
}
