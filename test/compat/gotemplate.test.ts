// The Go text/template engine (src/reconciler/template/gotemplate): one case per behaviour, as data.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TemplateSet } from '../../src/reconciler/template/gotemplate/exec.js';

const data = {
  apiVersion: 'example.com/v1',
  kind: 'Thing',
  metadata: { name: 'n1', namespace: 'default', labels: { b: '2', a: '1' } },
  spec: { name: 'e1', id: 7, ratio: 0.5, on: true, off: false, empty: '', list: ['x', 'y', 'z'], none: [], nested: { deep: { v: 'deep' } } },
};

const render = (src: string, files: Record<string, string> = {}, d: unknown = data) => {
  const s = new TemplateSet();
  for (const [name, text] of Object.entries(files)) s.add(name, name, text);
  s.add('main.tpl', 'main.tpl', src);
  return s.execute('main.tpl', d);
};

const cases: Array<[string, string]> = [
  ['{{ .metadata.name }}/{{.spec.id}}', 'n1/7'],
  ['{{ .spec.nested.deep.v }}', 'deep'],
  ['[{{ .spec.missing }}] [{{ .nope.deeper }}]', '[<no value>] [<no value>]'],
  ['a  {{- " b " -}}  c', 'a b c'],
  ['x\n  {{- /* a comment */ -}}\n  y', 'xy'],
  ['{{ if .spec.on }}on{{ end }}{{ if .spec.off }}off{{ else }}not-off{{ end }}', 'onnot-off'],
  ['{{ if .spec.empty }}a{{ else if .spec.none }}b{{ else if .spec.list }}c{{ end }}', 'c'],
  ['{{ range .spec.list }}<{{ . }}>{{ end }}', '<x><y><z>'],
  ['{{ range $i, $v := .spec.list }}{{ $i }}={{ $v }} {{ end }}', '0=x 1=y 2=z '],
  ['{{ range .spec.none }}x{{ else }}empty{{ end }}', 'empty'],
  ['{{ range $k, $v := .metadata.labels }}{{ $k }}{{ $v }}{{ end }}', 'a1b2'],
  ['{{ range .spec.list }}{{ if eq . "y" }}{{ break }}{{ end }}{{ . }}{{ end }}', 'x'],
  ['{{ range .spec.list }}{{ if eq . "y" }}{{ continue }}{{ end }}{{ . }}{{ end }}', 'xz'],
  ['{{ with .spec.nested }}{{ .deep.v }}{{ end }}{{ with .spec.missing }}no{{ else }}none{{ end }}', 'deepnone'],
  ['{{ $x := .spec.id }}{{ $x }}{{ $x = 8 }}{{ $x }}', '78'],
  ['{{ range .spec.list }}{{ $.metadata.name }}{{ end }}', 'n1n1n1'],
  ['{{ printf "%s.%d" .spec.name .spec.id }} {{ printf "%05.2f|%-4s|%q|%v|%t" .spec.ratio "ab" "q" .spec.list true }}', 'e1.7 00.50|ab  |"q"|[x y z]|true'],
  ['{{ .spec.name | printf "%s-x" }} {{ .spec.list | len }}', 'e1-x 3'],
  ['{{ len .spec.list }} {{ index .spec.list 1 }} {{ index .metadata.labels "a" }} {{ slice .spec.name 1 }}', '3 y 1 1'],
  ['{{ if and .spec.on (ne 0 (len .spec.list)) }}yes{{ end }}{{ if or .spec.off .spec.empty }}no{{ end }}{{ not .spec.on }}', 'yesfalse'],
  ['{{ if and .spec.off (index .spec.none 5) }}{{ end }}ok', 'ok'], // and stops at the first false operand
  ['{{ lt 1 2 }} {{ le 2 2 }} {{ gt "b" "a" }} {{ ge 1 2 }} {{ eq .spec.id 1 7 }}', 'true true true false true'],
  ['{{ .metadata.labels }} {{ .spec.ratio }} {{ print 1 2 "a" 3 }}', 'map[a:1 b:2] 0.5 1 2a3'],
  ['{{ html "<a&b>" }} {{ urlquery "a b" }}', '&lt;a&amp;b&gt; a%20b'],
  ['{{ `raw {{ x }}` }} {{ "esc\\t\\"q\\"" }}', 'raw {{ x }} esc\t"q"'],
  ['{{ range 3 }}{{ . }}{{ end }}', '012'],
  ['{{ block "b" .spec }}{{ .name }}{{ end }}', 'e1'],
];

test('Go template actions, control structures, variables, functions and trimming', () => {
  for (const [src, want] of cases) assert.equal(render(src), want, src);
});

test('define/template across files: the entry reaches a define in another file with its own dot', () => {
  const files = { 'interface.tpl': '{{- define "srl"}}\n  - name: {{ .name }}{{ if .vlanTagging }}\n    vlan: true{{ end }}\n{{- end }}\n' };
  const out = render('itf:\n{{- template "srl" .spec }}\n{{- template "srl" .other }}', files, { spec: { name: 'e1', vlanTagging: true }, other: { name: 'e2' } });
  assert.equal(out, 'itf:\n  - name: e1\n    vlan: true\n  - name: e2');
});

test('only the data\'s own keys are fields or index keys (no Object.prototype members)', () => {
  assert.equal(render('{{ .constructor }}|{{ index .spec "constructor" }}|{{ .spec.toString }}', {}, { spec: {} }), '<no value>|<no value>|<no value>');
});

test('errors name the file, the line and the action, like Go', () => {
  assert.throws(() => render('a\n{{ .spec.name.x }}'), /^TemplateExecError: main\.tpl:2:4: executing "main\.tpl" at <\.spec\.name\.x>: can't evaluate field x in type string$/);
  assert.throws(() => render('{{ nosuch 1 }}'), /function "nosuch" not defined/);
  assert.throws(() => render('{{ template "missing" . }}'), /main\.tpl:1: executing "main\.tpl": no such template "missing"/);
  assert.throws(() => render('{{ len .spec.id }}'), /error calling len: len of type int/);
  assert.throws(() => render('{{ eq .spec.list 1 }}'), /non-comparable type \[\]interface \{\}/);
  assert.throws(() => render('x\n{{ if .a }}'), /^TemplateSyntaxError: main\.tpl:2: unexpected EOF: \{\{if\}\} has no \{\{end\}\}$/);
  assert.throws(() => render('{{ end }}'), /main\.tpl:1: unexpected \{\{end\}\}/);
  assert.throws(() => render('{{ "abc }}'), /unterminated quoted string/);
  assert.throws(() => render('{{ break }}'), /\{\{break\}\} outside \{\{range\}\}/);
  assert.throws(() => render('{{ $nope }}'), /undefined variable: \$nope/);
});
