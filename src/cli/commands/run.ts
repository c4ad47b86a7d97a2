// `choreoctl run ...`: running a project (see src/runner/).
// Start-up: only commander is loaded to register the commands; each action
// imports what it runs (yaml, the runner, the store) when it is invoked.
import type { Command } from 'commander';
import type { ProjectPaths } from '../../runner/project/discover.js';
import { limitArgs, limitOptions, numberFlag, type LimitFlags } from './limits.js';
import { electionOf, electionOptions, remoteArgs, remoteOf, remoteOptions, type ElectionFlags, type RemoteFlags } from './remoteflags.js';

/** The original's path flags: where the project's parts are, relative to the project directory. */
function pathOptions(cmd: Command): Command {
  return cmd
    .option('--crds <dir>', 'CRDs and their libraries (default crds/, or apis/ when there is no crds/)')
    .option('--apis <dir>', 'same as --crds (the original choreo\'s name)')
    .option('--reconcilers <dir>', 'reconcilers (default reconcilers/)')
    .option('--libraries <dir>', 'Starlark libraries (default libs/)')
    .option('--input <dir>', 'input objects (default in/)')
    .option('--refs <dir>', 'UpstreamRefs (default refs/)');
}

interface PathFlags {
  crds?: string;
  apis?: string;
  reconcilers?: string;
  libraries?: string;
  input?: string;
  refs?: string;
}

function projectPaths(o: PathFlags): Partial<ProjectPaths> {
  if (o.crds !== undefined && o.apis !== undefined && o.crds !== o.apis) throw new Error(`--crds and --apis name the same folder; got ${o.crds} and ${o.apis}`);
  const paths: Partial<ProjectPaths> = {};
  const crds = o.crds ?? o.apis;
  if (crds !== undefined) paths.crds = crds;
  for (const k of ['reconcilers', 'libraries', 'input', 'refs'] as const) if (o[k] !== undefined) paths[k] = o[k];
  return paths;
}

/** The path flags again, for the background `run start` process. */
function pathArgs(paths: Partial<ProjectPaths>): string[] {
  return Object.entries(paths).flatMap(([k, v]) => [`--${k}`, v]);
}

/** The yaml package's stringify, loaded only when a command prints YAML. */
async function toYamlText(value: unknown): Promise<string> {
  return (await import('../actions/yaml.js')).stringify(value);
}

export function register(program: Command): void {
  const run = program.command('run').description('run a choreo project (CRDs, reconcilers, libraries and input)');
  remoteOptions(limitOptions(pathOptions(run
    .command('once')
    .description('load a project, run its reconcilers until nothing changes, and report')), 'a reconcile'))
    .argument('[dir]', 'project directory', '.')
    .option('--store <store>', 'memory, file:<dir> to keep the results, or etcd://host:port', 'memory')
    .option('--timeout <seconds>', 'give up after this many seconds', numberFlag('--timeout', 'seconds'), '60')
    .option('--workers <n>', 'concurrent reconciles per reconciler', numberFlag('--workers', 'count'), '1')
    .option('--out <dir>', 'write the resulting resources as YAML, one file per kind')
    .option('--html <file>', 'write the web UI (overview, ownership graph, reconcile history, every object) as one self-contained HTML file')
    .option('-o, --output <format>', 'report format: text, json or yaml', 'text')
    .option('--port <n>', 'serve the API and /metrics on 127.0.0.1:<n> while the run lasts (0 = any free port; the URL is printed to stderr)', numberFlag('--port', 'port'))
    .option('--watch', 'run again after every change to the project, reprinting the report (Ctrl-C to stop)')
    .addHelpText('after', '\nExamples:\n  choreoctl run once examples/hello\n  choreoctl run once examples/hello --watch\n  choreoctl run once examples/topology --html run.html\n  choreoctl run once examples/topology --out out/ -o yaml\n  choreoctl run once old-project --apis apis --input in\n  choreoctl run once examples/hello --kubeconfig ~/.kube/config --context kind-kind\n')
    .action(async (dir: string, o: PathFlags & LimitFlags & RemoteFlags & { store: string; timeout: string; workers: string; out?: string; html?: string; output: string; port?: string; watch?: boolean }) => {
      if (!['text', 'json', 'yaml'].includes(o.output)) throw new Error(`--output must be text, json or yaml, got ${o.output}`);
      const port = o.port === undefined ? undefined : Number(o.port);
      const paths = projectPaths(o);
      if (o.watch) return (await import('../actions/runwatch.js')).watchRunOnce(dir, paths);
      const [{ runOnce }, { renderReport }] = await Promise.all([import('../../runner/runonce.js'), import('../../runner/observer.js')]);
      const tty = process.stderr.isTTY && o.output === 'text';
      let lastPaint = 0;
      const { report, written } = await runOnce({
        dir,
        store: o.store,
        timeoutMs: Number(o.timeout) * 1000,
        workers: Number(o.workers),
        limits: { maxSteps: o.maxSteps, maxMemoryMiB: o.maxMemory },
        out: o.out,
        html: o.html,
        paths,
        port,
        onListen: (url) => process.stderr.write(`serving ${url} during the run (kubectl --server ${url} get --raw /metrics)\n`),
        remote: remoteOf(o),
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
      if (o.out) await (await import('../../runner/diff.js')).rememberOut(dir, o.out);
      if (o.output === 'json') process.stdout.write(JSON.stringify(report, null, 2) + '\n');
      else if (o.output === 'yaml') process.stdout.write(await toYamlText(report));
      else {
        process.stdout.write(renderReport(report, (await import('../actions/color.js')).paintFor(process.stdout)) + '\n');
        if (o.out && written.length > 0) process.stdout.write(`\nwrote ${written.length} file(s) to ${o.out}\n`);
        if (o.html) process.stdout.write(`wrote the web UI to ${o.html}\n`);
      }
      process.exitCode = report.success ? 0 : 1;
    });

  electionOptions(remoteOptions(limitOptions(pathOptions(run
    .command('start')
    .description('serve the API and run the reconcilers in the background (file store in <dir>/.choreo); with --kubeconfig, run them against that API server')), 'a reconcile')))
    .argument('[dir]', 'project directory', '.')
    .option('--foreground', 'stay attached and log to stdout (for containers)')
    .option('--store <store>', 'file:<dir> (default <dir>/.choreo/store), memory, or etcd://host:port')
    .option('--port <n>', 'API port (0 = any free port)', numberFlag('--port', 'port'), '0')
    .option('--address <a>', 'address to bind (a non-loopback address requires a bearer token)', '127.0.0.1')
    // 32: concurrent reconciles share the file store's fsyncs (group commit); bench:store:reconcile (issue 19) measured 0.13 fsyncs per reconcile at 16 workers, 0.06 at 32 (file CPU per reconcile 1.02–1.30× memory's at 32, 1.08–1.52× at 16); see README Storage.
    .option('--workers <n>', 'concurrent reconciles per reconciler', numberFlag('--workers', 'count'), '32')
    .option('--no-watch', 'no hot reload: ignore edits to the project until restarted')
    .option('--history <n>', 'reconciles the web UI (<server>/ui/) keeps in its history', numberFlag('--history', 'count'), '1000')
    .addHelpText('after', '\nEdits to crds/, libs/, reconcilers/ and in/ take effect while running (hot reload; see README).\n\nExamples:\n  choreoctl run start examples/hello\n  kubectl --kubeconfig examples/hello/.choreo/kubeconfig get helloworlds\n  choreoctl run stop examples/hello\n  choreoctl run start examples/hello --kubeconfig ~/.kube/config --context kind-kind\n')
    .action(async (dir: string, o: PathFlags & LimitFlags & RemoteFlags & ElectionFlags & { foreground?: boolean; store?: string; port: string; address: string; workers: string; watch: boolean; history: string }) => {
      const paths = projectPaths(o);
      const historySize = Number(o.history);
      const remote = remoteOf(o);
      if (remote && o.store) throw new Error('--store and --kubeconfig exclude each other: with --kubeconfig the API server keeps the objects');
      const { serve, startBackground } = await import('../../runner/serve.js');
      if (o.foreground && remote) {
        const { serveRemote } = await import('../../runner/serveremote.js');
        await serveRemote({ dir, remote, leaderElection: electionOf(o), workers: Number(o.workers), limits: { maxSteps: o.maxSteps, maxMemoryMiB: o.maxMemory }, paths, watch: o.watch });
        return;
      }
      if (o.foreground) {
        await serve({ dir, store: o.store, port: Number(o.port), address: o.address, workers: Number(o.workers), historySize, limits: { maxSteps: o.maxSteps, maxMemoryMiB: o.maxMemory }, paths, watch: o.watch });
        return;
      }
      // This process's own entry script (the bundled or the plain main.js alike).
      const cli = process.argv[1]!;
      const args = ['run', 'start', dir, '--foreground', '--port', o.port, '--address', o.address, '--workers', o.workers, '--history', o.history, ...(o.store ? ['--store', o.store] : []), ...(o.watch ? [] : ['--no-watch']), ...limitArgs(o), ...pathArgs(paths), ...(remote ? remoteArgs(o) : [])];
      if (remote) electionOf(o); // bad durations fail here, not in the background
      const info = await startBackground(cli, args, dir);
      if (remote) process.stdout.write(`choreo runner (pid ${info.pid}) reconciling against ${info.url}\n  log: ${dir}/.choreo/choreo.log\n  choreoctl run stop ${dir}\n`);
      else process.stdout.write(`choreo running (pid ${info.pid}) at ${info.url}\n  web UI: ${info.url}/ui/\n  kubectl --kubeconfig ${info.kubeconfig} get crds\n  choreoctl run stop ${dir}\n`);
    });
  run
    .command('deps')
    .description('after run once: the ownership tree of the resulting resources (--refs: which source supplied each CRD, library, reconciler and input)')
    .argument('[dir]', 'project directory', '.')
    .option('--refs', 'show which source (the project or an UpstreamRef in refs/) supplied each CRD, library, reconciler and input')
    .option('-o, --output <format>', 'text, json or yaml', 'text')
    .addHelpText('after', '\nExamples:\n  choreoctl run once examples/topology\n  choreoctl run deps examples/topology\n  choreoctl run deps examples/topology --refs\n\nRefs resolve from file:// URLs / paths to local git repositories, or from the cache\n($CHOREO_CACHE, default ~/.cache/choreo): refs/<host>/<path>@<ref>/ or a clone refs/<host>/<path>.git\n')
    .action(async (dir: string, o: { refs?: boolean; output: string }) => {
      if (!['text', 'json', 'yaml'].includes(o.output)) throw new Error(`--output must be text, json or yaml, got ${o.output}`);
      if (!o.refs) {
        const { readLastRun, renderOwnershipTree } = await import('../../runner/deps.js');
        const last = await readLastRun(dir);
        if (o.output === 'json') process.stdout.write(JSON.stringify(last.resources, null, 2) + '\n');
        else if (o.output === 'yaml') process.stdout.write(await toYamlText(last.resources));
        else if (last.resources.length > 0) process.stdout.write(renderOwnershipTree(last.resources) + '\n');
        return;
      }
      const [{ discoverProject }, { projectDeps, renderDeps }] = await Promise.all([import('../../runner/project/discover.js'), import('../../runner/project/deps.js')]);
      const project = await discoverProject(dir);
      const deps = projectDeps(project);
      if (o.output === 'json') process.stdout.write(JSON.stringify({ ...deps, errors: project.errors.map((e) => e.render()) }, null, 2) + '\n');
      else if (o.output === 'yaml') process.stdout.write(await toYamlText({ ...deps, errors: project.errors.map((e) => e.render()) }));
      else {
        process.stdout.write(renderDeps(deps) + '\n');
        if (project.errors.length > 0) process.stdout.write(`\nLoad errors:\n${project.errors.map((e) => `  ${e.render()}`).join('\n')}\n`);
      }
      process.exitCode = project.errors.length > 0 ? 1 : 0;
    });
  run
    .command('result')
    .description('after run once: per reconciler how many reconciles started, stopped, requeued and failed')
    .argument('[dir]', 'project directory', '.')
    .option('-o, --output <format>', 'text, json or yaml', 'text')
    .addHelpText('after', '\nExamples:\n  choreoctl run once examples/topology\n  choreoctl run result examples/topology -o json\n')
    .action(async (dir: string, o: { output: string }) => {
      if (!['text', 'json', 'yaml'].includes(o.output)) throw new Error(`--output must be text, json or yaml, got ${o.output}`);
      const { readLastRun, renderResult } = await import('../../runner/deps.js');
      const last = await readLastRun(dir);
      const { resources: _r, ...result } = last;
      if (o.output === 'json') process.stdout.write(JSON.stringify(result, null, 2) + '\n');
      else if (o.output === 'yaml') process.stdout.write(await toYamlText(result));
      else process.stdout.write(renderResult(last) + '\n');
    });
  limitOptions(pathOptions(run
    .command('reconcile')
    .description('dry run: load the project in memory, run one reconcile of one object and show what it would write (writes nothing)')), 'the reconcile')
    .usage('[options] [dir] <resource>/<name>')
    .argument('[dir]', 'project directory (default .)')
    .argument('[ref]', 'the object, kubectl-style: <resource>/<name> (plural, singular, kind or short name, optionally .group)')
    .option('-n, --namespace <ns>', 'namespace of the object', 'default')
    .option('--reconciler <name>', 'the reconciler to run when several reconcile the kind')
    .option('-o, --output <format>', 'text, yaml or json', 'text')
    .addHelpText('after', '\nExamples:\n  choreoctl run reconcile examples/hello helloworld/world\n  choreoctl run reconcile . parent/p1 -n team-a -o yaml\n  choreoctl run reconcile . parent/p1 --reconciler parent-status\n\nExit code 1 when the reconcile ends in an error or a fatal outcome.\n')
    .action(async (dir: string | undefined, ref: string | undefined, o: PathFlags & LimitFlags & { namespace: string; reconciler?: string; output: string }) =>
      (await import('../actions/reconcile.js')).reconcileCommand(ref === undefined ? '.' : dir!, ref ?? dir, o, projectPaths(o)),
    );
  run
    .command('stop')
    .description('stop a project started with run start: finish in-flight reconciles, flush the store')
    .argument('[dir]', 'project directory', '.')
    .addHelpText('after', '\nExamples:\n  choreoctl run start examples/hello\n  choreoctl run stop examples/hello\n')
    .action(async (dir: string) => {
      const { stopInstance } = await import('../../runner/serve.js');
      const pid = await stopInstance(dir);
      process.stdout.write(pid ? `stopped (pid ${pid})\n` : `not running\n`);
    });
  run
    .command('diff')
    .description('run the project and show how its result differs from the last --out (exit 1 when it does)')
    .argument('[dir]', 'project directory', '.')
    .option('--out <dir>', 'compare with this result tree instead of the last --out')
    .addHelpText('after', '\nExamples:\n  choreoctl run once examples/topology --out examples/topology/expected\n  # edit the project, then:\n  choreoctl run diff examples/topology\n')
    .action(async (dir: string, o: { out?: string }) => {
      const { runDiff } = await import('../../runner/diff.js');
      const { baseline, report, patches } = await runDiff(dir, o.out);
      if (!report.success) process.stderr.write(`warning: the run did not succeed: ${report.reason}\n`);
      if (patches.length === 0) process.stdout.write(`no changes against ${baseline}\n`);
      else process.stdout.write(patches.join(''));
      process.exitCode = patches.length === 0 ? 0 : 1;
    });
}
