// Jinja2 (Nunjucks, pongo2 dialect) and the template reconciler contract (src/reconciler/template).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { KObject } from '../../src/api/object.js';
import { readOutcome, type ReconcileScope } from '../../src/reconciler/hostapi.js';
import { ReconcileError } from '../../src/reconciler/runtime.js';
import { adaptPongo2, Jinja2Set } from '../../src/reconciler/template/jinja2.js';
import { compileTemplateReconciler, TemplateLoadError } from '../../src/reconciler/template/reconciler.js';
import { choreoctl, copyFixture } from './cli.js';

test('pongo2 forms are rewritten in place (same lines), standard Jinja2 is left alone', () => {
  assert.equal(adaptPongo2("{%- import 'interface.jinja2' interface -%}"), "{%- from 'interface.jinja2' import interface -%}");
  assert.equal(adaptPongo2('{% import "m.jinja2" a, b as c %}'), '{% from "m.jinja2" import a, b as c %}');
  assert.equal(adaptPongo2("{% import 'm.jinja2' as m %}"), "{% import 'm.jinja2' as m %}");
  assert.equal(adaptPongo2('{%- macro interface(spec) export -%}\nx'), '{%- macro interface(spec) -%}\nx');
});

test('Jinja2: imports and macros between the templates of one reconciler, filters, loops, whitespace control', () => {
  const set = new Jinja2Set([
    { name: 'main.jinja2', file: 'r/main.jinja2', text: "{%- import 'lib.jinja2' item -%}\nitems:\n{%- for x in spec.list %}\n{{ item(x) }}\n{%- endfor %}\ncount: {{ spec.list|length }}\nmissing: [{{ spec.nope }}]" },
    { name: 'lib.jinja2', file: 'r/lib.jinja2', text: '{%- macro item(x) export -%}\n- {{ x|upper }}\n{%- endmacro %}' },
  ]);
  set.check();
  assert.equal(set.render('main.jinja2', { spec: { list: ['a', '<b>'] } }), 'items:\n- A\n- <B>\ncount: 2\nmissing: []');
});

test('Jinja2 errors name the file and line', () => {
  const set = new Jinja2Set([{ name: 'main.jinja2', file: 'r/main.jinja2', text: 'a\nb {{ x( }}\n' }]);
  assert.throws(() => set.check(), /^Jinja2Error: r\/main\.jinja2:2: unexpected token: \}\}/);
  const run = new Jinja2Set([{ name: 'main.jinja2', file: 'r/main.jinja2', text: 'a\nb\n{{ spec.f.g() }}\n' }]);
  assert.throws(() => run.render('main.jinja2', { spec: {} }), /^Jinja2Error: r\/main\.jinja2:3: Error: Unable to call `spec\["f"\]\["g"\]`, which is undefined or falsey/);
});

const scope = (namespaced = true): ReconcileScope => ({
  reconciler: 'r',
  defaultNamespace: 'default',
  desired: [],
  writes: [],
  missing: [],
  read: {
    resourceInfo: (t) => (t.kind === 'Config' ? ({ namespaced, resource: 'configs', group: 'example.com' } as never) : undefined),
    get: () => ({}),
    list: () => ({ items: [] }),
  },
});
const self: KObject = { apiVersion: 'example.com/v1', kind: 'Thing', metadata: { name: 't1', namespace: 'ns1', uid: 'u1', managedFields: [{ manager: 'x' }] as never }, spec: { n: 2 } };

test('a template reconciler records every rendered document as a desired child and returns a plain success', () => {
  for (const [kind, main] of [
    ['gotemplate', 'apiVersion: example.com/v1\nkind: Config\nmetadata:\n  name: {{ .metadata.name }}-a\n---\n---\napiVersion: example.com/v1\nkind: Config\nmetadata:\n  name: {{ .metadata.name }}-b\n  namespace: {{ .metadata.namespace }}\nspec:\n  n: {{ .spec.n }}\n'],
    ['jinja2', 'apiVersion: example.com/v1\nkind: Config\nmetadata:\n  name: {{ metadata.name }}-a\n---\n---\napiVersion: example.com/v1\nkind: Config\nmetadata:\n  name: {{ metadata.name }}-b\n  namespace: {{ metadata.namespace }}\nspec:\n  n: {{ spec.n }}\n'],
  ] as const) {
    const run = compileTemplateReconciler({ reconciler: 'r', kind, templates: [{ name: kind === 'gotemplate' ? 'main.tpl' : 'main.jinja2', file: 'f', text: main }] });
    const s = scope();
    const outcome = readOutcome(run(self, s));
    assert.deepEqual(outcome, { obj: undefined, requeue: false, requeueAfterSeconds: 0, message: '', fatal: false, conditionType: undefined });
    assert.deepEqual(
      s.desired.map((d) => [d.metadata.name, d.metadata.namespace, d.spec]),
      [
        ['t1-a', 'default', undefined],
        ['t1-b', 'ns1', { n: 2 }],
      ],
      kind,
    );
  }
});

test('template reconciler failures: missing entry and syntax errors at load, render/YAML/kind errors per reconcile', () => {
  assert.throws(() => compileTemplateReconciler({ reconciler: 'r', kind: 'gotemplate', templates: [{ name: 'x.tpl', file: 'r/x.tpl', text: '' }] }), (e: unknown) => e instanceof TemplateLoadError && /needs an entry template named main\.tpl \(have x\.tpl\)/.test(e.message));
  assert.throws(() => compileTemplateReconciler({ reconciler: 'r', kind: 'gotemplate', templates: [{ name: 'main.tpl', file: 'r/main.tpl', text: 'a\n{{ if }}' }] }), (e: unknown) => e instanceof TemplateLoadError && e.file === 'r/main.tpl' && e.line === 2);
  const run = (text: string) => compileTemplateReconciler({ reconciler: 'r', kind: 'gotemplate', templates: [{ name: 'main.tpl', file: 'r/main.tpl', text }] })(self, scope());
  assert.throws(() => run('x: {{ .spec.n.m }}'), (e: unknown) => e instanceof ReconcileError && e.message === 'gotemplate reconciler r: r/main.tpl:1: executing "main.tpl" at <.spec.n.m>: can\'t evaluate field m in type int');
  assert.throws(() => run('a: [\n'), /gotemplate reconciler r: r\/main\.tpl rendered invalid YAML \(output line 2\): .*\n--- rendered output ---\na: \[\n$/);
  assert.throws(() => run('apiVersion: v9\nkind: Nope\nmetadata: {name: x}'), /rendered Nope: unknown kind Nope in v9 \(no CRD defines it\)/);
  assert.throws(() => run('apiVersion: example.com/v1\nkind: Config\n'), /rendered Config has no metadata\.name/);
});

test('run once: a template error lands on the For object\'s condition with the reconciler, file and line', async () => {
  const dir = await copyFixture('templates-gotemplate');
  try {
    await writeFile(join(dir, 'reconcilers/switchport/port.tpl'), '{{- define "port" }}\n  - interface {{ .slot }}\n  - speed {{ .speed.value }}\n{{- end }}\n');
    const r = await choreoctl(['run', 'once', dir, '--timeout', '20']);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /SwitchPort default\/leaf1-p1 \(reconciler lab\.example\.org\.switchports\.config\): Error\n +gotemplate reconciler lab\.example\.org\.switchports\.config: .*reconcilers\/switchport\/port\.tpl:3: executing "port" at <\.speed\.value>: can't evaluate field value in type string/);
    const result = await choreoctl(['run', 'result', dir]);
    assert.match(result.stdout, /^execution failed: 2 object\(s\) not ready\n/);
    assert.match(result.stdout, /\nlab\.example\.org\.switchports\.config +(\d+) +0 +0 +\1\n/, 'every reconcile of the broken reconciler ends in Error');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
