// Managed fields and server-side apply — see apply.ts for the semantics,
// fieldset.ts for FieldsV1, typeinfo.ts for merge types, typed.ts for the
// typed value operations.

export { applyConfiguration, conflictsOf, isNoopApply, recordUpdate, ownership, type SSAOptions } from './apply.js';
export { FieldSet, fieldSetFromFieldsV1, fieldSetToFieldsV1, pathString, type Path } from './fieldset.js';
export { typeFromSchema, type TypeNode } from './typeinfo.js';
export { toFieldSet, compare, contains, merge, removePaths } from './typed.js';
