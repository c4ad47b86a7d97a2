// Jinja2 (Nunjucks, pongo2 dialect) and the template reconciler contract (src/reconciler/template).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { parseAllDocuments } from 'yaml';
import { join } from 'node:path';
import type { KObject } from '../../src/api/object.js';
import { readOutcome, type ReconcileScope } from '../../src/reconciler/hostapi.js';
import { ReconcileError } from '../../src/reconciler/runtime.js';
import { compileTemplateReconciler, TemplateLoadError } from '../../src/reconciler/template/reconciler.js';
import { choreoctl, copyFixture, crdYaml, projectDir } from './cli.js';

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
  assert.throws(() => run('x: {{ .spec.n.m }}'), (e: unknown) => e instanceof ReconcileError && e.message === 'gotemplate reconciler r: r/main.tpl:1:7: executing "main.tpl" at <.spec.n.m>: can\'t evaluate field m in type int');
  assert.throws(() => run('a: [\n'), /gotemplate reconciler r: r\/main\.tpl rendered invalid YAML \(output line 2\): .*\n--- rendered output ---\na: \[\n$/);
  assert.throws(() => run('apiVersion: v9\nkind: Nope\nmetadata: {name: x}'), /rendered Nope: unknown kind Nope in v9 \(no CRD defines it\)/);
  assert.throws(() => run('apiVersion: example.com/v1\nkind: Config\n'), /rendered Config has no metadata\.name/);
});

test('template output built from hostile object data is bounded: deep nesting and alias bombs are errors, not a frozen engine', () => {
  const run = (payload: string) => compileTemplateReconciler({ reconciler: 'r', kind: 'gotemplate', templates: [{ name: 'main.tpl', file: 'r/main.tpl', text: 'x: {{ .spec.payload }}\n' }] })({ ...self, spec: { payload } }, scope());
  const started = performance.now();
  assert.throws(() => run('['.repeat(200_000)), /r\/main\.tpl rendered invalid YAML \(output line 1\): nested deeper than 200 levels/);
  const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]'];
  for (let i = 1; i < 9; i++) bomb.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(10).fill(`*${String.fromCharCode(96 + i)}`).join(',')}]`);
  assert.throws(() => run(`{${bomb.join(', ')}}`), /alias/i);
  assert.ok(performance.now() - started < 2000, `took ${performance.now() - started} ms`);
});

test('run once: a template error lands on the For object\'s condition with the reconciler, file, line and column', async () => {
  const dir = await copyFixture('templates-gotemplate');
  try {
    await writeFile(join(dir, 'reconcilers/switchport/port.tpl'), '{{- define "port" }}\n  - interface {{ .slot }}\n  - speed {{ .speed.value }}\n{{- end }}\n');
    const r = await choreoctl(['run', 'once', dir, '--timeout', '20']);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /SwitchPort default\/leaf1-p1 \(reconciler lab\.example\.org\.switchports\.config\): Error\n +gotemplate reconciler lab\.example\.org\.switchports\.config: .*reconcilers\/switchport\/port\.tpl:3:14: executing "port" at <\.speed\.value>: can't evaluate field value in type string/);
    const result = await choreoctl(['run', 'result', dir]);
    assert.match(result.stdout, /^execution failed: 2 object\(s\) not ready\n/);
    assert.match(result.stdout, /\nlab\.example\.org\.switchports\.config +(\d+) +0 +0 +\1\n/, 'every reconcile of the broken reconciler ends in Error');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('run once: a Jinja2 reconciler written for pongo2 (colon filter arguments, integer, capfirst, stringformat, forloop, autoescape) renders as pongo2 does', async () => {
  const dir = await projectDir(
    {
      'crds/example.com_ports.yaml': crdYaml('example.com', 'ports', 'Port'),
      'crds/example.com_configs.yaml': crdYaml('example.com', 'configs', 'Config'),
      'reconcilers/port/config.yaml': 'apiVersion: choreo.kform.dev/v1alpha1\nkind: Reconciler\nmetadata: {name: port}\nspec:\n  for: {group: example.com, version: v1alpha1, kind: Port}\n  owns:\n  - {group: example.com, version: v1alpha1, kind: Config}\n',
      'reconcilers/port/main.jinja2': [
        "{%- import 'lines.jinja2' lines -%}",
        'apiVersion: example.com/v1alpha1',
        'kind: Config',
        'metadata:',
        '  name: {{ metadata.name }}-{{ spec.speed|integer|stringformat:"%03d" }}',
        'spec:',
        '  label: {{ metadata.name|upper }}',
        '  title: {{ spec.description|default:"no description"|capfirst }}',
        '  vlans: "{{ spec.vlans|join:"," }}"',
        '  count: {{ spec.vlans|length|add:1 }}',
        '  quoted: "{{ spec.note }}"',
        '  lines:',
        '  {{- lines(spec) }}',
      ].join('\n'),
      'reconcilers/port/lines.jinja2': '{%- macro lines(spec) export %}\n  {%- for v in spec.vlans %}\n  - "{{ forloop.Counter }}/{{ v|stringformat:"vlan%d" }}{% if forloop.Last %} (last){% endif %}"\n  {%- endfor %}\n{%- endmacro %}',
      'in/ports.yaml': 'apiVersion: example.com/v1alpha1\nkind: Port\nmetadata: {name: p1, namespace: default}\nspec: {speed: "25.7", vlans: [10, 20], note: "a <b> & \'c\'"}\n',
    },
    'pongo2',
  );
  try {
    const out = join(dir, 'out');
    const r = await choreoctl(['run', 'once', dir, '--out', out, '--timeout', '20']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const config = parseAllDocuments(await readFile(join(out, 'example.com_configs.yaml'), 'utf8'))[0]!.toJS() as KObject;
    assert.equal(config.metadata.name, 'p1-025');
    assert.deepEqual(config.spec, { label: 'P1', title: 'No description', vlans: '10,20', count: 3, quoted: 'a &lt;b&gt; &amp; &#39;c&#39;', lines: ['1/vlan10', '2/vlan20 (last)'] });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('run once: Jinja2 errors name file:line:col — a syntax error as a load error, a render error on the For object\'s condition', async () => {
  const dir = await copyFixture('templates-jinja2');
  try {
    const port = join(dir, 'reconcilers/lab.example.org.switchports.config.port.jinja2');
    const text = await readFile(port, 'utf8');
    // A field of a string: pongo2 refuses it when rendering.
    await writeFile(port, text.replace('- speed {{ spec.speed }}', '- speed {{ spec.speed.value }}'));
    const r = await choreoctl(['run', 'once', dir, '--timeout', '20']);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /SwitchPort default\/leaf1-p1 \(reconciler lab\.example\.org\.switchports\.config\): Error\n +jinja2 reconciler lab\.example\.org\.switchports\.config: .*reconcilers\/lab\.example\.org\.switchports\.config\.port\.jinja2:8:14: can't access a field by name on type string \(variable spec\.speed\.value\)/);
    // A colon filter whose filter does not exist: a load error at its position.
    await writeFile(port, text.replace('- speed {{ spec.speed }}', '- speed {{ spec.speed|nosuch:"x" }}'));
    const l = await choreoctl(['run', 'once', dir, '--timeout', '20']);
    assert.equal(l.code, 1, l.stdout + l.stderr);
    assert.match(l.stdout, /reconcilers\/lab\.example\.org\.switchports\.config\.port\.jinja2:8:25: reconciler lab\.example\.org\.switchports\.config: Filter 'nosuch' does not exist\./);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
