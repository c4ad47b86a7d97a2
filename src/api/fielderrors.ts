// Field errors: one validation problem at one field path, rendered exactly as
// apimachinery's `field.Error` renders it, so messages read like a real
// apiserver's: `spec.replicas: Invalid value: "string": spec.replicas in body
// must be of type integer: "string"`.
//
// The key idea is to keep the fact (type, path, value, detail) as data until
// the edge: `toCause` gives the Status cause (body without the path, `field`
// set), `fieldErrorString` the one-line form, and `invalidError` the 422
// ApiError a server returns (`Kind.group "name" is invalid: [e1, e2]`).
//
// Exported API:
//   FieldError, FieldErrorType
//   required(path, detail?) / invalid(path, value, detail) / typeInvalid / notSupported / duplicate /
//   tooLong / tooMany / forbidden            — constructors
//   fieldErrorBody(e), fieldErrorString(e), toCause(e), invalidError(kind, group, name, errs)
//   formatValue(v)                           — Go-like rendering of a JSON value in messages

import { ApiError, type StatusCause } from './errors.js';

export type FieldErrorType = 'Required' | 'Invalid' | 'TypeInvalid' | 'NotSupported' | 'Duplicate' | 'TooLong' | 'TooMany' | 'Forbidden';

export interface FieldError {
  type: FieldErrorType;
  field: string;
  value?: unknown;
  detail: string;
}

const typeNames: Record<FieldErrorType, string> = {
  Required: 'Required value',
  Invalid: 'Invalid value',
  TypeInvalid: 'Invalid value',
  NotSupported: 'Unsupported value',
  Duplicate: 'Duplicate value',
  TooLong: 'Too long',
  TooMany: 'Too many',
  Forbidden: 'Forbidden',
};

const causeReasons: Record<FieldErrorType, string> = {
  Required: 'FieldValueRequired',
  Invalid: 'FieldValueInvalid',
  TypeInvalid: 'FieldValueTypeInvalid',
  NotSupported: 'FieldValueNotSupported',
  Duplicate: 'FieldValueDuplicate',
  TooLong: 'FieldValueTooLong',
  TooMany: 'FieldValueTooMany',
  Forbidden: 'FieldValueForbidden',
};

/** A value already in Go's `%#v` form (a Go struct kube-apiserver puts in an error), rendered as is. */
export class GoLiteral {
  constructor(readonly text: string) {}
}

/** Renders a value the way field errors show it: strings quoted, numbers bare, composites as JSON. */
export function formatValue(v: unknown): string {
  if (v instanceof GoLiteral) return v.text;
  if (v === undefined) return '""';
  if (typeof v === 'string') return JSON.stringify(v);
  if (v === null) return 'null';
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}

export const required = (field: string, detail = ''): FieldError => ({ type: 'Required', field, detail });
export const forbidden = (field: string, detail: string): FieldError => ({ type: 'Forbidden', field, detail });
export const invalid = (field: string, value: unknown, detail: string): FieldError => ({ type: 'Invalid', field, value, detail });
export const typeInvalid = (field: string, value: unknown, detail: string): FieldError => ({ type: 'TypeInvalid', field, value, detail });
export const duplicate = (field: string, value: unknown): FieldError => ({ type: 'Duplicate', field, value, detail: '' });
export function notSupported(field: string, value: unknown, supported: readonly unknown[]): FieldError {
  const list = supported.map((s) => JSON.stringify(typeof s === 'string' ? s : JSON.stringify(s))).join(', ');
  return { type: 'NotSupported', field, value, detail: supported.length ? `supported values: ${list}` : '' };
}
export function tooLong(field: string, maxLength: number): FieldError {
  return { type: 'TooLong', field, detail: `may not be more than ${maxLength} ${maxLength === 1 ? 'byte' : 'bytes'}` };
}
export function tooMany(field: string, actual: number, max: number): FieldError {
  return { type: 'TooMany', field, value: actual, detail: `must have at most ${max} ${max === 1 ? 'item' : 'items'}` };
}

/** The error without its path, e.g. `Invalid value: 0: must be positive` (Status cause message). */
export function fieldErrorBody(e: FieldError): string {
  let s = typeNames[e.type];
  if (e.type !== 'Required' && e.type !== 'Forbidden' && e.type !== 'TooLong') s += `: ${formatValue(e.value)}`;
  if (e.detail) s += `: ${e.detail}`;
  return s;
}

export function fieldErrorString(e: FieldError): string {
  return e.field ? `${e.field}: ${fieldErrorBody(e)}` : fieldErrorBody(e);
}

export function toCause(e: FieldError): StatusCause {
  return { reason: causeReasons[e.type], message: fieldErrorBody(e), field: e.field };
}

/** The 422 a server returns for invalid objects: `Widget.example.com "w1" is invalid: spec.x: Required value`. */
export function invalidError(kind: string, group: string, name: string, errs: readonly FieldError[]): ApiError {
  const qualified = group ? `${kind}.${group}` : kind;
  const list = errs.map(fieldErrorString);
  const agg = list.length === 1 ? list[0] : `[${list.join(', ')}]`;
  return new ApiError('Invalid', `${qualified} "${name}" is invalid: ${agg}`, { name, group, kind, causes: errs.map(toCause) });
}
