// `choreoctl run ...`: running a project (see src/runner/).
import type { Command } from 'commander';
import { stringify } from 'yaml';
import { renderReport } from '../../runner/observer.js';
import { runOnce } from '../../runner/runonce.js';

export function register(program: Command): void {
  const run = program.command('run').description('run a choreo project (CRDs, reconcilers, libraries and input)');
  run
    .command('once')
    .description('load a project, run its reconcilers until nothing changes, and report')
    .argument('[dir]', 'project directory', '.')
    .option('--store <store>', 'memory, or file:<dir> to keep the results', 'memory')
    .option('--timeout <seconds>', 'give up after this many seconds', '60')
    .option('--workers <n>', 'concurrent reconciles per reconciler', '1')
    .option('--out <dir>', 'write the resulting resources as YAML, one file per kind')
    .option('-o, --output <format>', 'report format: text, json or yaml', 'text')
    .addHelpText('after', '\nExamples:\n  choreoctl run once examples/hello\n  choreoctl run once examples/topology --out out/ -o yaml\n')
    .action(async (dir: string, o: { store: string; timeout: string; workers: string; out?: string; output: string }) => {
      if (!['text', 'json', 'yaml'].includes(o.output)) throw new Error(`--output must be text, json or yaml, got ${o.output}`);
      const tty = process.stderr.isTTY && o.output === 'text';
      let lastPaint = 0;
      const { report, written } = await runOnce({
        dir,
        store: o.store,
        timeoutMs: Number(o.timeout) * 1000,
        workers: Number(o.workers),
        out: o.out,
        progress: tty
          ? (obs) => {
              const now = Date.now();
              if (now - lastPaint < 100) return;
              lastPaint = now;
              process.stderr.write(`\r\x1b[Kreconciles: ${obs.total}  errors: ${obs.errors}`);
            }
          : undefined,
      });
      if (tty) process.stderr.write('\r\x1b[K');
      if (o.output === 'json') process.stdout.write(JSON.stringify(report, null, 2) + '\n');
      else if (o.output === 'yaml') process.stdout.write(stringify(report));
      else {
        process.stdout.write(renderReport(report) + '\n');
        if (o.out && written.length > 0) process.stdout.write(`\nwrote ${written.length} file(s) to ${o.out}\n`);
      }
      process.exitCode = report.success ? 0 : 1;
    });
}
