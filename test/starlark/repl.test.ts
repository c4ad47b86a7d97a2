// ReplSession (starlark/repl.ts): chunks run against the globals of earlier
// ones, whatever the dialect says about reassignment within one file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newThread, repr, ReplSession, StarlarkSyntaxError, EvalError } from '../../src/starlark/index.js';

test('a REPL session re-binds globals across chunks, keeps values unfrozen, returns a sole expression\'s value', () => {
  const s = new ReplSession({ dialect: { set: false } });
  const t = newThread();
  const run = (src: string) => {
    const v = s.exec(t, src);
    return v === undefined ? undefined : repr(v);
  };
  assert.equal(run('x = 1\n'), undefined);
  assert.equal(run('x = x + 1\n'), undefined);
  assert.equal(run('x\n'), '2');
  assert.equal(run('l = []\n'), undefined);
  assert.equal(run('l.append(x)\n'), 'None');
  assert.equal(run('l\n'), '[2]');
  // Top-level control is allowed in a REPL; the dialect's other choices hold (no set here).
  assert.equal(run('for i in range(3):\n    l.append(i)\n\n'), undefined);
  assert.equal(run('len(l)\n'), '4');
  assert.throws(() => run('set([1])\n'), StarlarkSyntaxError);
  // A failing chunk keeps what it bound before the failure.
  assert.throws(() => run('y = 3; z = 1 // 0\n'), EvalError);
  assert.equal(run('y\n'), '3');
  assert.throws(() => run('z\n'), /undefined: z/);
});

test('a REPL session knows when an input needs more lines', () => {
  const s = new ReplSession();
  assert.equal(s.incomplete('x = 1\n'), false);
  assert.equal(s.incomplete('f(1,\n'), true);
  assert.equal(s.incomplete('x = """abc\n'), true);
  assert.equal(s.incomplete('def f():\n'), true);
  assert.equal(s.incomplete('def f():\n    return 1\n'), true); // a block ends with a blank line
  assert.equal(s.incomplete('def f():\n    return 1\n\n'), false);
  assert.equal(s.incomplete('1 +\n'), false); // an error to report, not a continuation
  assert.equal(s.incomplete('x = 1 )\n'), false);
});
