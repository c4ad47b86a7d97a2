// Loading a kubeconfig the way kubectl does (client-go clientcmd), so one file
// serves kubectl and choreoctl alike. Precedence: an explicit `--kubeconfig`
// file (must exist), else the `KUBECONFIG` environment variable (a
// `:`-separated list; missing files are skipped), else `~/.kube/config`, else
// `~/.kube/choreo.config` (what `choreoctl server start` writes by default).
//
// Key idea: merging follows clientcmd's rule "the first file to set a value
// wins": for clusters/users/contexts the first definition of a name wins
// whole (entries are never merged field by field), and the first non-empty
// current-context wins. Relative file paths inside an entry (certificate-
// authority, tokenFile, ...) are resolved against the file that defined it.
// The result is a RestConfig: exactly what a request needs, nothing more.
//
// Trade-off: exec/auth-provider plugins are not supported — choreo servers
// use a bearer token or nothing; such a user is reported, not ignored.

import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, isAbsolute, join, resolve } from 'node:path';
import { parse } from 'yaml';

export interface RestConfig {
  /** Base URL of the API server, without a trailing slash. */
  server: string;
  token?: string;
  username?: string;
  password?: string;
  /** PEM bundle to trust for https (certificate-authority[-data]). */
  ca?: string;
  /** PEM client certificate and key (client-certificate[-data], client-key[-data]). */
  cert?: string;
  key?: string;
  insecureSkipTLSVerify?: boolean;
  /** tls-server-name: the name to verify the server certificate against. */
  tlsServerName?: string;
  /** The namespace to use when none is given: --namespace, else the context's, else "default". */
  namespace: string;
  contextName: string;
  /** The files the configuration was read from, in merge order. */
  files: string[];
}

export interface LoadOptions {
  /** --kubeconfig: a single file that must exist. */
  kubeconfig?: string;
  /** --context: overrides current-context. */
  context?: string;
  /** -n/--namespace: overrides the context's namespace. */
  namespace?: string;
  /** Environment to read KUBECONFIG and HOME from (default process.env). */
  env?: NodeJS.ProcessEnv;
}

/** A kubeconfig problem, naming the file(s) and the entry at fault. */
export class KubeconfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KubeconfigError';
  }
}

interface Named<T> {
  value: T;
  file: string; // the file that defined the entry (for relative paths)
}

interface Merged {
  clusters: Map<string, Named<Record<string, unknown>>>;
  users: Map<string, Named<Record<string, unknown>>>;
  contexts: Map<string, Named<Record<string, unknown>>>;
  currentContext?: string;
  files: string[];
}

/** The kubeconfig files to read, in precedence order, per the conventions above. */
export function kubeconfigFiles(opts: Pick<LoadOptions, 'kubeconfig' | 'env'> = {}): string[] {
  const env = opts.env ?? process.env;
  if (opts.kubeconfig) {
    const f = resolve(opts.kubeconfig);
    if (!existsSync(f)) throw new KubeconfigError(`kubeconfig ${opts.kubeconfig}: no such file`);
    return [f];
  }
  if (env.KUBECONFIG) {
    const seen = new Set<string>();
    const files: string[] = [];
    for (const p of env.KUBECONFIG.split(delimiter)) {
      if (!p) continue;
      const f = resolve(p);
      if (seen.has(f) || !existsSync(f)) continue;
      seen.add(f);
      files.push(f);
    }
    if (files.length === 0) throw new KubeconfigError(`KUBECONFIG=${env.KUBECONFIG}: none of these files exists`);
    return files;
  }
  const home = env.HOME || homedir();
  for (const name of ['config', 'choreo.config']) {
    const f = join(home, '.kube', name);
    if (existsSync(f)) return [f];
  }
  throw new KubeconfigError(`no kubeconfig: pass --kubeconfig, set KUBECONFIG, or create ${join(home, '.kube', 'config')} (choreoctl server start and run start write one)`);
}

/** Reads and merges `files` with clientcmd's first-wins rules. */
export function mergeKubeconfigs(files: string[]): Merged {
  const m: Merged = { clusters: new Map(), users: new Map(), contexts: new Map(), files };
  for (const file of files) {
    let doc: unknown;
    try {
      doc = parse(readFileSync(file, 'utf8'));
    } catch (err) {
      throw new KubeconfigError(`kubeconfig ${file}: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
    }
    if (doc === null || doc === undefined) continue; // an empty file contributes nothing
    if (typeof doc !== 'object' || Array.isArray(doc)) throw new KubeconfigError(`kubeconfig ${file}: expected a mapping (kind: Config)`);
    const d = doc as Record<string, unknown>;
    addNamed(m.clusters, d.clusters, 'cluster', file);
    addNamed(m.users, d.users, 'user', file);
    addNamed(m.contexts, d.contexts, 'context', file);
    const cur = d['current-context'];
    if (m.currentContext === undefined && typeof cur === 'string' && cur !== '') m.currentContext = cur;
  }
  return m;
}

function addNamed(into: Map<string, Named<Record<string, unknown>>>, list: unknown, field: string, file: string): void {
  if (list === undefined || list === null) return;
  if (!Array.isArray(list)) throw new KubeconfigError(`kubeconfig ${file}: ${field}s must be a list`);
  list.forEach((entry: unknown, i) => {
    const e = (entry ?? {}) as Record<string, unknown>;
    if (typeof e.name !== 'string' || e.name === '') throw new KubeconfigError(`kubeconfig ${file}: ${field}s[${i}] has no name`);
    if (into.has(e.name)) return; // first file to define a name wins
    const value = e[field];
    into.set(e.name, { value: value && typeof value === 'object' ? (value as Record<string, unknown>) : {}, file });
  });
}

/** Loads the kubeconfig per the conventions and resolves the context to use. */
export function loadRestConfig(opts: LoadOptions = {}): RestConfig {
  const files = kubeconfigFiles(opts);
  return resolveContext(mergeKubeconfigs(files), opts);
}

export function resolveContext(m: Merged, opts: Pick<LoadOptions, 'context' | 'namespace'> = {}): RestConfig {
  const where = m.files.join(delimiter);
  const contextName = opts.context || m.currentContext;
  if (!contextName) throw new KubeconfigError(`kubeconfig ${where}: no current-context is set (pass --context)`);
  const ctx = m.contexts.get(contextName);
  if (!ctx) throw new KubeconfigError(`kubeconfig ${where}: context "${contextName}" does not exist`);
  const clusterName = str(ctx.value.cluster);
  const cluster = clusterName ? m.clusters.get(clusterName) : undefined;
  if (!cluster) throw new KubeconfigError(`kubeconfig ${where}: context "${contextName}" refers to cluster "${clusterName ?? ''}", which does not exist`);
  const server = str(cluster.value.server);
  if (!server) throw new KubeconfigError(`kubeconfig ${cluster.file}: cluster "${clusterName}" has no server`);
  const userName = str(ctx.value.user);
  const user = userName ? m.users.get(userName) : undefined;
  if (userName && !user) throw new KubeconfigError(`kubeconfig ${where}: context "${contextName}" refers to user "${userName}", which does not exist`);

  const cfg: RestConfig = {
    server: server.replace(/\/+$/, ''),
    namespace: opts.namespace || str(ctx.value.namespace) || 'default',
    contextName,
    files: m.files,
  };
  const c = cluster.value;
  cfg.ca = pem(c, 'certificate-authority', cluster.file);
  if (c['insecure-skip-tls-verify'] === true) cfg.insecureSkipTLSVerify = true;
  if (str(c['tls-server-name'])) cfg.tlsServerName = str(c['tls-server-name']);
  if (user) {
    const u = user.value;
    if (u.exec || u['auth-provider']) throw new KubeconfigError(`kubeconfig ${user.file}: user "${userName}" uses an exec/auth-provider plugin, which choreoctl does not support (use a token)`);
    cfg.token = str(u.token);
    const tokenFile = str(u.tokenFile);
    if (!cfg.token && tokenFile) cfg.token = readRelative(tokenFile, user.file, `user "${userName}" tokenFile`).trim();
    cfg.username = str(u.username);
    cfg.password = str(u.password);
    cfg.cert = pem(u, 'client-certificate', user.file);
    cfg.key = pem(u, 'client-key', user.file);
  }
  return cfg;
}

/** `<field>-data` (base64 PEM) or `<field>` (a file path). */
function pem(entry: Record<string, unknown>, field: string, file: string): string | undefined {
  const data = str(entry[`${field}-data`]);
  if (data) return Buffer.from(data, 'base64').toString('utf8');
  const path = str(entry[field]);
  return path ? readRelative(path, file, field) : undefined;
}

function readRelative(path: string, kubeconfigFile: string, what: string): string {
  const p = isAbsolute(path) ? path : join(dirname(kubeconfigFile), path);
  try {
    return readFileSync(p, 'utf8');
  } catch {
    throw new KubeconfigError(`kubeconfig ${kubeconfigFile}: ${what} ${p}: cannot read file`);
  }
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}
