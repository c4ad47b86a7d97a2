// The Starlark dialect of reconcilers is exactly the original choreo's:
// go.starlark.net with zero-value FileOptions — no set, no while, no
// top-level control flow, no global reassignment, no recursion (issue 17).
// json/math/time are our extension, only through load().
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileReconciler, ProgramError } from '../../src/reconciler/program.js';

function compileError(text: string, libraries: Array<{ names: string[]; file: string; code: string }> = []): string {
  try {
    compileReconciler({ reconciler: 'r', code: { file: 'r.star', kind: 'starlark', text, name: 'r.star' } as never, libraries: libraries as never });
  } catch (err) {
    assert.ok(err instanceof ProgramError, String(err));
    return err.message;
  }
  return '';
}

const ok = 'def reconcile(self):\n    return None\n';

test('reconcilers get the original dialect: no set, while, top-level control, reassignment', () => {
  assert.match(compileError(`${ok}x = set([1])\n`), /does not support sets/);
  assert.match(compileError(`${ok}def f():\n    while True:\n        pass\n`), /does not support while loops/);
  assert.match(compileError(`${ok}for x in []:\n    pass\n`), /for loop not within a function/);
  assert.match(compileError(`${ok}y = 1\ny = 2\n`), /cannot reassign global y/);
  assert.match(compileError(`load("lib.star", "S")\n${ok}`, [{ names: ['lib.star'], file: 'lib.star', code: 'S = set()\n' }]), /does not support sets/);
  assert.equal(compileError(ok), '');
  assert.equal(compileError(`load("json.star", "json")\n${ok}X = json.encode([1])\n`), '');
});

test('reconcilers get only the original predeclared names: no struct (it predeclares its host builtins, not starlarkstruct)', () => {
  assert.match(compileError(`${ok}S = struct(a = 1)\n`), /undefined: struct/);
  assert.match(compileError(`load("lib.star", "S")\n${ok}`, [{ names: ['lib.star'], file: 'lib.star', code: 'S = struct(a = 1)\n' }]), /undefined: struct/);
});
