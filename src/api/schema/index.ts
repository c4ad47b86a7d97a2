// The structural schema engine: one compiled bundle per CRD version.
//
// `compileSchema` compiles validation, defaulting and pruning once; the server
// keeps the bundle per CRD version and runs, on each write:
//   prune (report unknown fields) → default → validate.
// Each part also lives in its own module (validate.ts, default.ts, prune.ts,
// structural.ts, formats.ts; CEL rules in cel.ts) for callers that need one idea only.
//
// Exported API:
//   compileSchema(schema) → CompiledSchema { schema, validate(obj), default(obj), prune(obj), admit(obj) }
//   re-exports: JSONSchemaProps, compileValidator, compileDefaulter, compilePruner, structuralErrors

import type { FieldError } from '../fielderrors.js';
import { compileValidator } from './validate.js';
import { compileDefaulter } from './default.js';
import { compilePruner } from './prune.js';
import { unnamedPath, type JSONSchemaProps } from './types.js';
import { compileRuleValidator, hasBlockingErrors } from './cel.js';
import { ratchetSchemaErrors } from './ratchet.js';

export type { JSONSchemaProps } from './types.js';
export { compileValidator } from './validate.js';
export { compileDefaulter } from './default.js';
export { compilePruner } from './prune.js';
export { structuralErrors } from './structural.js';

export interface CompiledSchema {
  readonly schema: JSONSchemaProps;
  /**
   * All validation problems of a whole resource (field paths from the root:
   * "spec.replicas"), CEL rules included; `old` is the stored object on update
   * (transition rules see it as `oldSelf`; errors at unchanged values are ratcheted).
   */
  validate(obj: unknown, old?: unknown): FieldError[];
  /** Applies defaults in place. */
  default(obj: unknown): void;
  /** Drops unknown fields in place; returns their paths ("spec.foo") for fieldValidation warnings. */
  prune(obj: unknown): string[];
  /**
   * prune → default → validate, in place; the usual write path. `pruned`
   * lists the dropped fields' paths; with `namePruned: false` (nobody will
   * report them) it only counts them.
   */
  admit(obj: unknown, opts?: { namePruned?: boolean; old?: unknown }): { pruned: string[]; errors: FieldError[] };
}

export function compileSchema(schema: JSONSchemaProps): CompiledSchema {
  const validate = compileValidator(schema);
  const defaulter = compileDefaulter(schema);
  const pruner = compilePruner(schema);
  const rules = compileRuleValidator(schema);
  // On update, errors at values unchanged from the old object are dropped (ratchet.ts).
  const structural = (obj: unknown, old: unknown) => {
    const errs = validate(obj);
    return old === undefined || errs.length === 0 ? errs : ratchetSchemaErrors(schema, errs, obj, old);
  };
  // Without rules (the usual CRD) validation is the structural validator alone.
  const validateAll = rules
    ? (obj: unknown, old: unknown) => {
        const errs = structural(obj, old);
        const blocking = hasBlockingErrors(errs);
        if (blocking) errs.push(blocking);
        else rules(obj, old, errs);
        return errs;
      }
    : structural;
  return {
    schema,
    validate: (obj, old) => validateAll(obj, old),
    default: defaulter,
    prune: (obj) => pruner(obj),
    admit(obj, opts) {
      const pruned = pruner(obj, opts?.namePruned === false ? unnamedPath : '');
      defaulter(obj);
      return { pruned, errors: validateAll(obj, opts?.old) };
    },
  };
}
