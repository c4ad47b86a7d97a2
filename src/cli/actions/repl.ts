// `choreoctl star repl`: an interactive Starlark session (the statements and
// expressions of starlark/repl.ts; a sole expression's value printed as
// repr, None not printed, like Python's REPL).
//
// On a TTY: prompts `>>> ` / `... `, line editing and history (node:readline;
// kept across sessions in ~/.choreo_repl_history),
// Ctrl-C drops the current input, Ctrl-D ends. Otherwise stdin is read as a
// script of chunks with no prompts; an error is printed and the session goes
// on; end of input ends it with exit code 0.
//
// --project <dir>: the project is loaded in memory (CRDs, in/ objects; no
// reconciler runs), its libraries can be load()ed by the names reconcilers
// use, and the host API builtins (client_get, client_list, ...) read the
// loaded objects — a snapshot taken once at start, as a reconcile reads its
// caches. The dialect is the reconcilers' (no `set` unless -o set).
// Trade-off: writes (client_create, client_update) are recorded and dropped;
// nothing is stored.

import { readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { TypeRef } from '../../api/client.js';
import type { KObject } from '../../api/object.js';
import { fromStarlarkString, makeLoader, newThread, repr, ReplSession, type LoadFn, type Value } from '../../starlark/index.js';
import { dialectOf, renderError, standardModule } from '../../starlark/testing/host.js';
import type { DialectOption } from '../../starlark/testing/dialectoptions.js';
import { hostBuiltins, setScope, type ReadView, type ReconcileScope } from '../../reconciler/hostapi.js';
import { libraryFinder } from '../../reconciler/program.js';
import { defaultMaxSteps } from '../../reconciler/limits.js';

export interface ReplFlags {
  project?: string;
  option: DialectOption[];
}

interface ProjectContext {
  predeclared: Map<string, Value>;
  load: LoadFn;
  scope: ReconcileScope;
  loadErrors: string[];
}

/** The project in memory: its CRDs and in/ objects stored, its libraries and the host API ready. */
async function loadProject(dir: string): Promise<ProjectContext> {
  const [{ openStore }, { Engine }, { discoverProject }] = await Promise.all([
    import('../../store/open.js'),
    import('../../runner/engine.js'),
    import('../../runner/project/discover.js'),
  ]);
  const store = await openStore('memory');
  const engine = await Engine.open({ store });
  const project = await discoverProject(dir);
  const loadErrors = (await engine.load(project)).map((e) => e.render());
  // A snapshot of every stored object, by type, for the synchronous reads of the host API.
  const byType = new Map<string, KObject[]>();
  for (const t of engine.registry.catalog.storageTypes()) byType.set(`${t.group}/${t.kind}`, (await engine.registry.list({ apiVersion: t.apiVersion, kind: t.kind })).items);
  await engine.stop();
  await store.close();
  const groupOf = (t: TypeRef) => (t.apiVersion.includes('/') ? t.apiVersion.slice(0, t.apiVersion.indexOf('/')) : '');
  const items = (t: TypeRef) => byType.get(`${groupOf(t)}/${t.kind}`) ?? [];
  const read: ReadView = {
    resourceInfo: (t) => engine.registry.resourceInfo(t),
    get: (t, ns, name) => ({ obj: items(t).find((o) => o.metadata.name === name && (o.metadata.namespace ?? '') === ns) }),
    list: (t, ns) => ({ items: ns === undefined || ns === '' ? items(t) : items(t).filter((o) => o.metadata.namespace === ns) }),
  };
  const predeclared = hostBuiltins();
  const scope: ReconcileScope = { reconciler: 'repl', read, defaultNamespace: 'default', desired: [], writes: [], missing: [] };
  const load = makeLoader({ find: libraryFinder(project.libraries), predeclared, predeclaredValues: predeclared, set: false });
  return { predeclared, load, scope, loadErrors };
}

function readHistory(file: string): string[] {
  try {
    return readFileSync(file, 'utf8').split('\n').filter((l) => l !== '');
  } catch {
    return [];
  }
}

/** Reads `input` chunk by chunk until it ends. */
export async function repl(flags: ReplFlags, input: NodeJS.ReadableStream = process.stdin, out: NodeJS.WritableStream = process.stdout, err: NodeJS.WritableStream = process.stderr): Promise<void> {
  const options = new Set(flags.option);
  const ctx = flags.project === undefined ? undefined : await loadProject(flags.project);
  for (const e of ctx?.loadErrors ?? []) err.write(`load error: ${e}\n`);
  const load: LoadFn =
    ctx?.load ??
    ((_thread, module) => {
      const std = standardModule(module);
      if (std === null) throw new Error(`module ${module} not found (json.star, math.star, time.star; --project for a project's libraries)`);
      return std;
    });
  const session = new ReplSession({ predeclared: ctx?.predeclared, dialect: dialectOf(options, ctx === undefined), load });

  const run = (src: string) => {
    if (src.trim() === '') return;
    const thread = newThread({ name: 'repl', print: (_t, msg) => out.write(`${msg}\n`), maxSteps: defaultMaxSteps });
    if (ctx) setScope(thread, { ...ctx.scope, desired: [], writes: [], missing: [] });
    try {
      const v = session.exec(thread, src);
      if (v !== undefined && v !== null) {
        // repr is a Starlark string (UTF-8 bytes): the terminal gets the text.
        const text = repr(v);
        if (text !== 'None') out.write(`${fromStarlarkString(text)}\n`);
      }
    } catch (e) {
      err.write(`${renderError(e)}\n`);
    }
  };

  const tty = (input as { isTTY?: boolean }).isTTY === true && (out as { isTTY?: boolean }).isTTY === true;
  // On a terminal the history survives the session (newest first, as readline keeps it).
  const historyFile = join(homedir(), '.choreo_repl_history');
  const history = tty ? readHistory(historyFile) : [];
  const rl = createInterface({ input, output: tty ? out : undefined, terminal: tty, history, historySize: 1000, prompt: '>>> ' });
  let buffer = '';
  const prompt = () => {
    if (!tty) return;
    rl.setPrompt(buffer === '' ? '>>> ' : '... ');
    rl.prompt();
  };
  if (tty) out.write(`Starlark REPL${flags.project ? ` (project ${flags.project})` : ''}: Ctrl-D to exit\n`);
  prompt();
  await new Promise<void>((resolve) => {
    rl.on('line', (line) => {
      buffer += `${line}\n`;
      if (session.incomplete(buffer)) return prompt();
      const chunk = buffer;
      buffer = '';
      run(chunk);
      prompt();
    });
    rl.on('SIGINT', () => {
      buffer = '';
      out.write('\nKeyboardInterrupt\n');
      prompt();
    });
    rl.on('close', () => {
      run(buffer);
      if (tty) {
        out.write('\n');
        try {
          writeFileSync(historyFile, (rl as unknown as { history: string[] }).history.slice(0, 1000).join('\n') + '\n');
        } catch {
          // An unwritable home loses the history, not the session.
        }
      }
      resolve();
    });
  });
}
