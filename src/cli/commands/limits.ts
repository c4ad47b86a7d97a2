// The per-reconcile limits a user may raise from the command line: the step
// budget and the memory budget of a Starlark run. `star run` and `run
// once/start` take the same flags with the same defaults, so code that runs
// under `star run` runs the same as a reconcile. The parsers of every number
// flag of choreoctl live here too.
import { InvalidArgumentError, type Command } from 'commander';
import { defaultMaxMemoryMiB, defaultMaxSteps } from '../../reconciler/limits.js';

/**
 * A number flag's value is checked when it is parsed: a bad one (`--workers
 * abc`, `--timeout -1`) is a usage error — exit 2, naming the flag — instead
 * of NaN or a negative number reaching the engine (commander exits with the
 * error's exitCode).
 */
function checkNumber(flag: string, value: string, what: string, ok: (n: number) => boolean): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || !ok(n)) {
    const err = new InvalidArgumentError(`${flag}: want ${what}, got ${JSON.stringify(value)}`);
    err.exitCode = 2;
    throw err;
  }
  return n;
}

/** A commander parser for a flag that takes a positive number. */
export function positiveNumber(flag: string) {
  return (value: string): number => checkNumber(flag, value, 'a positive number', (n) => n > 0);
}

const numberKinds = {
  count: ['a whole number >= 1', (n: number) => Number.isInteger(n) && n >= 1],
  seconds: ['a number of seconds >= 0', (n: number) => n >= 0],
  port: ['a port number from 0 to 65535', (n: number) => Number.isInteger(n) && n >= 0 && n <= 65535],
} as const;

/**
 * A commander parser that checks a number flag and keeps its text (so the
 * action reads it as before and can hand it on to a child process):
 * `count` (workers), `seconds` (timeouts), `port`.
 */
export function numberFlag(flag: string, kind: keyof typeof numberKinds) {
  const [what, ok] = numberKinds[kind];
  return (value: string): string => String(checkNumber(flag, value, what, ok));
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
