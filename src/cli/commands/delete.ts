// `choreoctl delete <type> <name>...`: deletes objects like `kubectl delete`,
// printing `widget.example.com "a" deleted` per object. By default it then
// waits until each object is really gone (finalizers and foreground garbage
// collection done), because that is what kubectl does and what a script that
// deletes then re-creates needs; `--no-wait` returns once deletion started.
// Waiting polls with GET: deletion is the rare, short case, and polling
// needs no watch bookkeeping across several types.

import type { Command } from 'commander';
import { isApiError } from '../../api/errors.js';
import { apiVersionOf, typeLabel, type ApiResource } from '../../client/discovery.js';
import { resourcePath, type HttpClient } from '../../client/httpclient.js';
import { action, addClientFlags, connect, reportError, type ClientFlags } from './clientflags.js';

interface DeleteFlags extends ClientFlags {
  wait: boolean;
  timeout: string;
  cascade: string;
  ignoreNotFound?: boolean;
}

const cascades: Record<string, 'Background' | 'Foreground' | 'Orphan'> = { background: 'Background', foreground: 'Foreground', orphan: 'Orphan' };

export function register(program: Command): void {
  const cmd = program
    .command('delete')
    .description('delete resources by type and name')
    .argument('<type>', 'resource type: plural, singular, kind or short name, optionally .group (or type/name)')
    .argument('[name...]', 'names of the objects to delete')
    .option('--wait', 'wait until the objects are gone (finalizers done) before returning (default)', true)
    .option('--no-wait', 'return as soon as deletion has started')
    .option('--timeout <seconds>', 'how long --wait waits per object', '60')
    .option('--cascade <policy>', 'dependents: background|foreground|orphan', 'background')
    .option('--ignore-not-found', 'treat an object that does not exist as deleted');
  addClientFlags(cmd).addHelpText(
    'after',
    `
Examples:
  choreoctl delete widget my-widget
  choreoctl delete wd a b c -n team-a
  choreoctl delete widgets/a --no-wait
  choreoctl delete topology t1 --cascade=foreground --timeout 120`,
  );
  cmd.action(action(async (type: string, names: string[], o: DeleteFlags) => deleteCommand(type, names, o)));
}

async function deleteCommand(typeArg: string, names: string[], o: DeleteFlags): Promise<void> {
  const slash = typeArg.indexOf('/');
  if (slash >= 0) {
    names = [typeArg.slice(slash + 1), ...names];
    typeArg = typeArg.slice(0, slash);
  }
  if (names.length === 0) throw new Error('resource(s) were provided, but no name was specified');
  const policy = cascades[o.cascade];
  if (!policy) throw new Error(`--cascade: invalid value ${JSON.stringify(o.cascade)}: must be one of background, foreground, orphan`);
  const timeoutMs = Number(o.timeout) * 1000;
  if (!Number.isFinite(timeoutMs) || timeoutMs < 0) throw new Error(`--timeout: invalid number of seconds ${JSON.stringify(o.timeout)}`);
  const client = await connect(o);
  const r = await client.resolve(typeArg);
  const namespace = r.namespaced ? client.config.namespace : '';
  const started: string[] = [];
  for (const name of names) {
    try {
      await client.delete({ apiVersion: apiVersionOf(r), kind: r.kind }, namespace, name, { propagationPolicy: policy });
      process.stdout.write(`${typeLabel(r)} "${name}" deleted\n`);
      started.push(name);
    } catch (err) {
      if (o.ignoreNotFound && isApiError(err, 'NotFound')) continue;
      reportError(err);
    }
  }
  if (!o.wait) return;
  for (const name of started) {
    try {
      await waitGone(client, r, namespace, name, timeoutMs);
    } catch (err) {
      reportError(err);
    }
  }
}

async function waitGone(client: HttpClient, r: ApiResource, namespace: string, name: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await client.transport.json({ method: 'GET', path: resourcePath(r, namespace, name) });
    } catch (err) {
      if (isApiError(err, 'NotFound')) return;
      throw err;
    }
    if (Date.now() >= deadline) throw new Error(`timed out waiting for ${typeLabel(r)} "${name}" to be deleted (finalizers still pending?)`);
    await new Promise((res) => setTimeout(res, 200));
  }
}
