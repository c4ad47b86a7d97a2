// Reconciler configuration: `kind: Reconciler` (choreo.kform.dev/v1alpha1).
//
//   spec:
//     for:      {group, version, kind, selector?}   # the resource this reconciler drives
//     owns:     [{group, version, kind}]            # children it creates (owner-ref'd to For)
//     watches:  [{group, version, kind, selector?}] # dependencies that re-trigger For objects
//     conditionType: Ready                           # condition it maintains on For objects
//     specUpdate: false                              # may it change the For object's spec
//     code: {"reconciler.star": "..."}               # inline code (else files next to config)
//
// Parsing collects every problem with its field path (spec.owns[1].kind: ...),
// so a user fixes a config in one pass.

import type { KObject } from '../api/object.js';
import { compileSelector, compileWatchJoin, type ExpressionSelectorSpec, type ObjectPredicate, type WatchJoin } from './exprselector.js';

export const reconcilerApiVersion = 'choreo.kform.dev/v1alpha1';

export interface ResourceType {
  group: string;
  version: string;
  kind: string;
  apiVersion: string;
}

export interface ForSpec extends ResourceType {
  selector?: ExpressionSelectorSpec;
  matches: ObjectPredicate;
}

export interface WatchSpec extends ResourceType {
  selector?: ExpressionSelectorSpec;
  /** Undefined = every For object is re-triggered; else which For objects a watched object re-triggers (see WatchJoin). */
  join?: WatchJoin;
}

export interface ReconcilerConfig {
  name: string;
  for: ForSpec;
  owns: ResourceType[];
  watches: WatchSpec[];
  conditionType: string;
  specUpdate: boolean;
  /** Inline code from spec.code, file name → text. */
  code: Record<string, string>;
}

export class ConfigError extends Error {
  constructor(
    readonly reconciler: string,
    readonly problems: string[],
  ) {
    super(`reconciler ${reconciler}: ${problems.join('; ')}`);
    this.name = 'ConfigError';
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * The join of a watch: `match` pairs a watched-object expression with a For
 * object expression; `matchExpressions` / `matchLabels` narrow which watched
 * objects trigger at all (those that do not match re-trigger nothing; those
 * that do, with no `match`, re-trigger every For object).
 */
function watchJoin(sel: ExpressionSelectorSpec | undefined): WatchSpec['join'] {
  if (!sel) return undefined;
  const pairs = sel.match && Object.keys(sel.match).length > 0 ? compileWatchJoin(sel) : undefined;
  const narrowed = (sel.matchExpressions?.length ?? 0) > 0 || Object.keys(sel.matchLabels ?? {}).length > 0;
  const filter = narrowed ? compileSelector({ matchExpressions: sel.matchExpressions, matchLabels: sel.matchLabels }) : undefined;
  if (!pairs && !filter) return undefined;
  return {
    target: (watched) => {
      if (filter && !filter(watched)) return undefined;
      return pairs ? pairs.target(watched) : null;
    },
    forKey: pairs?.forKey,
  };
}

export function parseReconcilerConfig(obj: KObject, defaultName: string): ReconcilerConfig {
  const problems: string[] = [];
  const name = obj.metadata?.name || defaultName;
  if (obj.kind !== 'Reconciler') problems.push(`kind: want Reconciler, got ${obj.kind}`);
  if (obj.apiVersion !== reconcilerApiVersion) problems.push(`apiVersion: want ${reconcilerApiVersion}, got ${obj.apiVersion}`);
  const spec = isRecord(obj.spec) ? obj.spec : (problems.push('spec: Required value'), {} as Record<string, unknown>);

  const resource = (v: unknown, path: string): ResourceType | undefined => {
    if (!isRecord(v)) {
      problems.push(`${path}: Required value: want {group, version, kind}`);
      return undefined;
    }
    const group = typeof v.group === 'string' ? v.group : '';
    const version = v.version;
    const kind = v.kind;
    if (typeof version !== 'string' || version === '') problems.push(`${path}.version: Required value`);
    if (typeof kind !== 'string' || kind === '') problems.push(`${path}.kind: Required value`);
    if (typeof version !== 'string' || typeof kind !== 'string') return undefined;
    return { group, version, kind, apiVersion: group === '' ? version : `${group}/${version}` };
  };
  const selector = (v: unknown, path: string): ExpressionSelectorSpec | undefined => {
    if (v === undefined || v === null) return undefined;
    if (!isRecord(v)) {
      problems.push(`${path}: must be a mapping with match / matchExpressions`);
      return undefined;
    }
    return v as ExpressionSelectorSpec;
  };
  const list = (v: unknown, path: string): unknown[] => {
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) {
      problems.push(`${path}: must be a list`);
      return [];
    }
    return v;
  };

  let forSpec: ForSpec | undefined;
  const forType = resource(spec.for, 'spec.for');
  if (forType) {
    const sel = selector((spec.for as Record<string, unknown>).selector, 'spec.for.selector');
    try {
      forSpec = { ...forType, selector: sel, matches: compileSelector(sel) };
    } catch (err) {
      problems.push(`spec.for.selector: ${(err as Error).message}`);
    }
  }
  const owns: ResourceType[] = [];
  list(spec.owns, 'spec.owns').forEach((o, i) => {
    const t = resource(o, `spec.owns[${i}]`);
    if (t) owns.push(t);
  });
  const watches: WatchSpec[] = [];
  list(spec.watches, 'spec.watches').forEach((w, i) => {
    const t = resource(w, `spec.watches[${i}]`);
    if (!t) return;
    const sel = selector((w as Record<string, unknown>).selector, `spec.watches[${i}].selector`);
    try {
      watches.push({ ...t, selector: sel, join: watchJoin(sel) });
    } catch (err) {
      problems.push(`spec.watches[${i}].selector: ${(err as Error).message}`);
    }
  });
  let conditionType = 'Ready';
  if (spec.conditionType !== undefined && spec.conditionType !== null) {
    if (typeof spec.conditionType !== 'string' || spec.conditionType === '') problems.push('spec.conditionType: must be a non-empty string');
    else conditionType = spec.conditionType;
  }
  let specUpdate = false;
  if (spec.specUpdate !== undefined && spec.specUpdate !== null) {
    if (typeof spec.specUpdate !== 'boolean') problems.push('spec.specUpdate: must be a boolean');
    else specUpdate = spec.specUpdate;
  }
  const code: Record<string, string> = {};
  if (spec.code !== undefined && spec.code !== null) {
    if (!isRecord(spec.code)) problems.push('spec.code: must be a mapping of file name to code');
    else
      for (const [f, text] of Object.entries(spec.code)) {
        if (typeof text !== 'string') problems.push(`spec.code[${f}]: must be a string`);
        else code[f] = text;
      }
  }
  if (problems.length > 0 || !forSpec) throw new ConfigError(name, problems);
  return { name, for: forSpec, owns, watches, conditionType, specUpdate, code };
}
