// Shell completion, in the manner of cobra (the original choreoctl's): the
// script a shell sources is a thin function that calls the hidden command
// `choreoctl __complete <words before the cursor...> <word at the cursor>`;
// all knowledge is here, so the scripts never go stale as commands change.
//
// `__complete` prints the candidates, one a line, then one mode line: `:dirs`
// or `:files` (the shell completes paths when no candidate matches) or
// `:none`. Commands and flags come from the commander tree itself; kind and
// object names for `get` / `delete` come from the API server `get` would talk
// to (the same --kubeconfig / --context / -n), for `run reconcile` from the
// project's input — both bounded by a short timeout, so a stopped server
// costs the user a moment, never a hang.
//
// The bash script uses only bash built-ins (no bash-completion package,
// which many systems lack): it reads COMP_WORDS / COMP_CWORD and fills
// COMPREPLY. Bash splits `--flag=value` at `=`; the words are joined again here.

import type { Command, Option } from 'commander';
import { connect } from './client.js';

type Mode = ':dirs' | ':files' | ':none';

interface Completion {
  words: string[];
  mode: Mode;
}

/** How long a completion may wait for the API server. */
const serverTimeoutMs = 2000;

const within = <T>(p: Promise<T>, fallback: T): Promise<T> =>
  Promise.race([p.catch(() => fallback), new Promise<T>((r) => setTimeout(() => r(fallback), serverTimeoutMs).unref())]);

const isHidden = (c: Command) => (c as unknown as { _hidden?: boolean })._hidden === true;
const takesValue = (o: Option) => o.required || o.optional;

function findOption(cmd: Command, flag: string): Option | undefined {
  return cmd.options.find((o) => o.long === flag || o.short === flag);
}

/** Bash's `--out`, `=`, `x` back to `--out=x`. */
function joinEquals(words: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < words.length; i++) {
    if (words[i] === '=' && i + 1 < words.length && out.length > 0 && out[out.length - 1]!.startsWith('-')) out[out.length - 1] += '=' + words[++i]!;
    else out.push(words[i]!);
  }
  return out;
}

interface Parsed {
  cmd: Command;
  /** Command path below the root, e.g. "run reconcile". */
  path: string;
  positionals: string[];
  flags: Map<string, string>;
}

function walk(root: Command, words: string[]): Parsed {
  let cmd = root;
  const names: string[] = [];
  const positionals: string[] = [];
  const flags = new Map<string, string>();
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    if (w.startsWith('-') && w !== '-') {
      const eq = w.indexOf('=');
      const opt = findOption(cmd, eq > 0 ? w.slice(0, eq) : w);
      if (opt && takesValue(opt)) flags.set(opt.attributeName(), eq > 0 ? w.slice(eq + 1) : (words[++i] ?? ''));
      else if (opt) flags.set(opt.attributeName(), 'true');
      continue;
    }
    const sub = positionals.length === 0 ? cmd.commands.find((c) => c.name() === w || c.aliases().includes(w)) : undefined;
    if (sub) {
      cmd = sub;
      names.push(sub.name());
    } else positionals.push(w);
  }
  return { cmd, path: names.join(' '), positionals, flags };
}

/** The values of an option: its declared choices, else what its placeholder and help say. */
async function optionValues(opt: Option, p: Parsed): Promise<Completion> {
  if (opt.argChoices) return { words: opt.argChoices, mode: ':none' };
  const placeholder = /<([^>]+)>/.exec(opt.flags)?.[1] ?? '';
  if (placeholder === 'format') return { words: (opt.description.match(/\b(text|table|json|yaml|wide|name)\b/g) ?? []).filter((w, i, a) => a.indexOf(w) === i), mode: ':none' };
  if (placeholder === 'dir') return { words: [], mode: ':dirs' };
  if (placeholder === 'ns') return { words: await within(namespaces(p), []), mode: ':none' };
  if (placeholder.includes('file')) return { words: [], mode: ':files' };
  return { words: [], mode: ':none' };
}

function clientFlags(p: Parsed) {
  return { kubeconfig: p.flags.get('kubeconfig'), context: p.flags.get('context'), namespace: p.flags.get('namespace') };
}

async function namespaces(p: Parsed): Promise<string[]> {
  const client = await connect({ ...clientFlags(p), namespace: undefined });
  return (await client.list({ apiVersion: 'v1', kind: 'Namespace' })).items.map((o) => o.metadata.name!).sort();
}

/** Resource type names (plural, .group when not core) as `api-resources -o name` prints them, then object names of a type. */
async function serverTypes(p: Parsed): Promise<string[]> {
  const client = await connect(clientFlags(p));
  return (await client.discovery.all()).filter((r) => r.preferred && r.verbs.includes('list')).map((r) => r.resource).sort();
}

async function serverNames(p: Parsed, type: string): Promise<string[]> {
  const client = await connect(clientFlags(p));
  const r = await client.resolve(type);
  const all = p.flags.has('allNamespaces');
  const items = (await client.list({ apiVersion: r.group ? `${r.group}/${r.version}` : r.version, kind: r.kind }, { namespace: r.namespaced && !all ? client.config.namespace : undefined })).items;
  return [...new Set(items.map((o) => o.metadata.name!))].sort();
}

/** `<kind>/<name>` of the objects in the project's input (what `run reconcile` can reconcile). */
async function projectRefs(dir: string): Promise<string[]> {
  const { discoverProject } = await import('../../runner/project/discover.js');
  const project = await discoverProject(dir);
  return [...new Set(project.inputs.map((m) => `${m.object.kind.toLowerCase()}/${m.object.metadata.name ?? ''}`))].sort();
}

async function positionalValues(p: Parsed, cur: string): Promise<Completion> {
  switch (p.path) {
    case 'get':
    case 'delete': {
      const slash = cur.indexOf('/');
      if (slash > 0) return { words: (await within(serverNames(p, cur.slice(0, slash)), [])).map((n) => `${cur.slice(0, slash)}/${n}`), mode: ':none' };
      if (p.positionals.length === 0) return { words: await within(serverTypes(p), []), mode: ':none' };
      return { words: await within(serverNames(p, p.positionals[0]!), []), mode: ':none' };
    }
    case 'run reconcile': {
      if (p.positionals.length >= 2) return { words: [], mode: ':none' };
      const dir = p.positionals[0] ?? '.';
      const refs = await within(projectRefs(dir), []);
      return { words: refs, mode: p.positionals.length === 0 ? ':dirs' : ':none' };
    }
    case 'completion':
      return { words: p.positionals.length === 0 ? ['bash', 'zsh', 'fish'] : [], mode: ':none' };
    case 'star run':
    case 'star test':
    case 'apply':
      return { words: [], mode: ':files' };
    default: {
      const arg = p.cmd.registeredArguments[p.positionals.length];
      if (arg && /dir/.test(arg.name())) return { words: [], mode: ':dirs' };
      return { words: [], mode: arg ? ':files' : ':none' };
    }
  }
}

/** The completions of `cur` after `before` (the words typed after `choreoctl`). */
export async function complete(root: Command, before: string[], cur: string): Promise<Completion> {
  // `--output=<TAB>`: bash ends the words with the flag and `=`.
  const words = joinEquals(before[before.length - 1] === '=' ? before.slice(0, -1) : before);
  const p = walk(root, words);
  const last = words[words.length - 1];
  const pending = last?.startsWith('-') && !last.includes('=') ? findOption(p.cmd, last) : undefined;
  let c: Completion;
  if (pending && takesValue(pending)) c = await optionValues(pending, p);
  else if (cur.startsWith('-') && cur.includes('=')) {
    const flag = cur.slice(0, cur.indexOf('='));
    const opt = findOption(p.cmd, flag);
    const v = opt ? await optionValues(opt, p) : { words: [], mode: ':none' as Mode };
    c = { words: v.words.map((w) => `${flag}=${w}`), mode: ':none' };
  } else if (cur.startsWith('-')) {
    const visible = p.cmd.options.filter((o) => !o.hidden).flatMap((o) => [o.long, o.short]).filter((f): f is string => !!f);
    c = { words: [...visible, '--help'], mode: ':none' };
  } else {
    const subs = p.positionals.length === 0 ? p.cmd.commands.filter((s) => !isHidden(s)).map((s) => s.name()) : [];
    c = subs.length > 0 ? { words: subs, mode: ':none' } : await positionalValues(p, cur);
  }
  return { words: c.words.filter((w) => w.startsWith(cur)).sort(), mode: c.mode };
}

export async function completeCommand(root: Command, args: string[]): Promise<void> {
  const before = args.slice(0, -1);
  const cur = args[args.length - 1] ?? '';
  const c = await complete(root, before, cur);
  process.stdout.write([...c.words, c.mode].join('\n') + '\n');
}

/** The completion script for `shell`, calling `prog` (the name the user types). */
export function completionScript(shell: string, prog = 'choreoctl'): string {
  const fn = `_${prog.replace(/[^A-Za-z0-9_]/g, '_')}`;
  switch (shell) {
    case 'bash':
      return `# bash completion for ${prog}: source it, e.g. in ~/.bashrc:  source <(${prog} completion bash)
# Needs only bash itself (not the bash-completion package).
${fn}() {
    local cur="\${COMP_WORDS[COMP_CWORD]}" out mode line
    out=$(${prog} __complete "\${COMP_WORDS[@]:1:COMP_CWORD-1}" "$cur" 2>/dev/null) || return 0
    mode="\${out##*$'\\n'}"
    if [[ "$out" == *$'\\n'* ]]; then out="\${out%$'\\n'*}"; else out=""; fi
    COMPREPLY=()
    if [[ -n "$out" ]]; then
        while IFS= read -r line; do COMPREPLY+=("$line"); done <<< "$out"
        if [[ \${#COMPREPLY[@]} -eq 1 && ( "\${COMPREPLY[0]}" == */ || "\${COMPREPLY[0]}" == *= ) ]]; then compopt -o nospace 2>/dev/null; fi
        return 0
    fi
    case "$mode" in
        :dirs) compopt -o filenames 2>/dev/null; while IFS= read -r line; do [[ -n "$line" ]] && COMPREPLY+=("$line"); done <<< "$(compgen -d -- "$cur")" ;;
        :files) compopt -o filenames 2>/dev/null; while IFS= read -r line; do [[ -n "$line" ]] && COMPREPLY+=("$line"); done <<< "$(compgen -f -- "$cur")" ;;
    esac
    return 0
}
complete -F ${fn} ${prog}
`;
    case 'zsh':
      return `#compdef ${prog}
# zsh completion for ${prog}: source it, e.g. in ~/.zshrc after compinit:  source <(${prog} completion zsh)
${fn}() {
    local out mode
    local -a lines
    out=$(${prog} __complete "\${(@)words[2,CURRENT-1]}" "\${words[CURRENT]}" 2>/dev/null) || return 1
    lines=("\${(@f)out}")
    mode=\${lines[-1]}
    lines=("\${(@)lines[1,-2]}")
    if (( \${#lines} )); then
        compadd -Q -S '' -- "\${(@M)lines:#*[/=]}"
        compadd -Q -- "\${(@)lines:#*[/=]}"
        return 0
    fi
    case $mode in
        :dirs) _files -/ ;;
        :files) _files ;;
    esac
}
if (( $+functions[compdef] )); then compdef ${fn} ${prog}; else print -u2 "${prog} completion: run compinit first (autoload -U compinit && compinit)"; fi
`;
    case 'fish':
      return `# fish completion for ${prog}: ${prog} completion fish > ~/.config/fish/completions/${prog}.fish
function _${fn}_complete
    set -l tokens (commandline -opc)
    set -l cur (commandline -ct)
    set -l out (${prog} __complete $tokens[2..-1] "$cur" 2>/dev/null)
    or return
    set -l mode $out[-1]
    set -e out[-1]
    if test (count $out) -gt 0
        printf '%s\\n' $out
    else if test "$mode" = ":dirs"
        __fish_complete_directories "$cur"
    else if test "$mode" = ":files"
        __fish_complete_path "$cur"
    end
end
complete -c ${prog} -f -a '(_${fn}_complete)'
`;
    default:
      throw new Error(`unknown shell ${JSON.stringify(shell)}: want bash, zsh or fish`);
  }
}
