// `choreoctl run once --watch`: run once, then again after every change to the
// project (crds/, libs/, reconcilers/, in/, refs/), reprinting the report; the
// screen is cleared before each run on a TTY. Stops at Ctrl-C.
//
// Key idea: each run is the plain `run once` command in a child process with
// the same arguments (minus --watch), so its output, exit code and flags are
// exactly those of a run without --watch, and no state of one run (a compiled
// library, an informer) can leak into the next. Trade-off: a process start
// per run (a fraction of a second), small next to the run itself.

import { spawn } from 'node:child_process';
import type { ProjectPaths } from '../../runner/project/source.js';

export async function watchRunOnce(dir: string, paths: Partial<ProjectPaths>, argv: string[] = process.argv): Promise<void> {
  const [{ resolvePaths }, { watchProject }] = await Promise.all([import('../../runner/project/discover.js'), import('../../runner/watch.js')]);
  const args = [...process.execArgv, ...argv.slice(1).filter((a) => a !== '--watch')];
  const tty = process.stdout.isTTY === true;
  let child: ReturnType<typeof spawn> | undefined;
  const once = () =>
    new Promise<void>((resolve) => {
      if (tty) process.stdout.write('\x1b[2J\x1b[H'); // clear the screen, cursor home
      child = spawn(process.execPath, args, { stdio: 'inherit', env: process.env });
      child.on('exit', (code, signal) => {
        child = undefined;
        process.stderr.write(`\n[${new Date().toLocaleTimeString()}] run once ${signal ? `stopped by ${signal}` : `exited ${code}`}; watching ${dir} for changes (Ctrl-C to stop)\n`);
        resolve();
      });
    });
  // Watching starts before the first run, which goes through the watcher like every later one:
  // a change made during a run, or as soon as its report is out, triggers the next run (the
  // first run used to start watching only after it ended, so an edit right then was lost).
  const folders = Object.values(await resolvePaths(dir, paths));
  const watcher = watchProject(dir, folders, once);
  watcher.changed();
  const keepAlive = setInterval(() => {}, 2 ** 30); // the watchers do not hold the process open
  await new Promise<void>((resolve) => {
    const stop = () => {
      clearInterval(keepAlive);
      child?.kill('SIGTERM');
      void watcher.close().then(resolve);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
