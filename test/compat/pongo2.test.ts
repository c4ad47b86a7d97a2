// Jinja2 templates render as pongo2 v6 renders them (the original choreo's engine): every builtin
// filter, the colon argument syntax, pongo2's tags and expression rules, autoescaping, and errors
// at file:line:col. Expected outputs are those of pongo2's own template tests
// (template_tests/*.tpl.out) for the same input, where the input is expressible as JSON.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Jinja2Error, Jinja2Set, type TemplateSource } from '../../src/reconciler/template/jinja2.js';
import { filters } from '../../src/reconciler/template/pongo2/filters.js';

const simple = {
  number: 42,
  name: 'john doe',
  nil: null,
  uint: 8,
  float: 3.1415,
  chinese_hello_world: '你好世界',
  bool_true: true,
  bool_false: false,
  newline_text: 'this is a text\nwith a new line in it',
  long_text: 'This is a simple text.\n\nThis too, as a paragraph.\nRight?\n\nYep!',
  escape_js_test: `escape sequences \\r\\n\\'\\" special chars "?!=$<>`,
  one_item_list: [99],
  multiple_item_list: [1, 1, 2, 3, 5, 8, 13, 21, 34, 55],
  unsorted_int_list: [192, 581, 22, 1, 249, 9999, 1828591, 8271],
  misc_list: ['Hello', 99, 3.14, 'good'],
  escape_text: 'This is \\a Test. "Yep". \'Yep\'.',
  strmap: { abc: 'def', bcd: 'efg', zab: 'cde', gh: 'kqm', ukq: 'qqa', aab: 'aba' },
};

function render(text: string, more: TemplateSource[] = [], data: Record<string, unknown> = { number: 11, simple }): string {
  return new Jinja2Set([{ name: 'main.jinja2', file: 'r/main.jinja2', text }, ...more]).render('main.jinja2', data);
}

/** [template, expected output]: every one of pongo2's builtin filters, with its colon argument where it takes one. */
const filterCases: Array<[string, string]> = [
  ['{{ 5|add:2 }} {{ 5|add:simple.number }} {{ 5|add:nothing }} {{ 5|add:"test" }} {{ "hello "|add:simple.name }} {{ 1.5|add:1 }}', '7 47 5 5test hello john doe 2.500000'],
  ['{{ simple.escape_text|addslashes|safe }}', 'This is \\\\a Test. \\"Yep\\". \\\'Yep\\\'.'],
  ['[{{ ""|capfirst }}][{{ 5|capfirst }}][{{ "hello there!"|capfirst }}][{{ simple.chinese_hello_world|capfirst }}]', '[][][Hello there!][你好世界]'],
  ['\'{{ "test"|center:3 }}\' \'{{ "test"|center:19 }}\' \'{{ simple.chinese_hello_world|center:10 }}\'', "'test' '        test       ' '   你好世界   '"],
  ['{{ 15|cut:"5" }} {{ "Hello world"|cut: " " }}', '1 Helloworld'],
  ['{{ simple.nothing|default:"n/a" }} {{ nothing|default:simple.number }} {{ simple.number|default:"n/a" }} {{ ""|default:"empty" }} {{ 0|default:"zero" }}', 'n/a 42 42 empty zero'],
  ['[{{ simple.nothing|default_if_none:"n/a" }}][{{ ""|default_if_none:"n/a" }}]', '[n/a][]'],
  ['{{ 21|divisibleby:3 }} {{ 21|divisibleby:"3" }} {{ 21|float|divisibleby:"3" }} {{ 22|divisibleby:"3" }} {{ 85|divisibleby:simple.number }}', 'True True True False False'],
  ['{{ "<script>"|safe|escape }} {{ "<script>"|safe|e }} {{ "\'&\\""|escape|safe }}', '&lt;script&gt; &lt;script&gt; &#39;&amp;&quot;'],
  ['{{ simple.escape_js_test|escapejs|safe }}', 'escape sequences \\u000D\\u000A\\u005C\\u0027\\u005C\\u0022 special chars \\u0022\\u003F\\u0021\\u003D\\u0024\\u003C\\u003E'],
  ['{{ "Test"|first }}[{{ 5|first }}]{{ simple.chinese_hello_world|first }} {{ simple.multiple_item_list|first }}', 'T[]你 1'],
  ['{{ 34.23234|floatformat }} {{ 34.00000|floatformat }} {{ "34.26000"|floatformat }} {{ 34.23234|floatformat:3 }} {{ 39.56000|floatformat:"0" }} {{ 34.00000|floatformat:"-3" }}', '34.2 34 34.3 34.232 40 34'],
  ['{{ 1234567890|get_digit:0 }} {{ 1234567890|get_digit:2 }} {{ 1234567890|get_digit:"4" }} {{ 1234567890|get_digit:15 }}', '1234567890 9 7 1234567890'],
  ['{{ "?foo=123&bar=yes"|iriencode }}', '?foo=123&amp;bar=yes'],
  ['{{ simple.misc_list|join:", " }}', 'Hello, 99, 3.140000, good'],
  ['{{ "Test"|last }}[{{ 5|last }}]{{ simple.chinese_hello_world|last }}', 't[]界'],
  ['{{ simple.name|length }} {{ simple.chinese_hello_world|length }} {{ simple.strmap|length }} {{ 5|length }}', '8 4 6 0'],
  ['{{ simple.name|length_is:8 }} {{ simple.name|length_is:"10" }} {{ 5|length_is:1 }}', 'True False False'],
  ['{{ simple.long_text|linebreaks|safe }}', '<p>This is a simple text.</p><p>This too, as a paragraph.<br />Right?</p><p>Yep!</p>'],
  ['{{ simple.newline_text|linebreaksbr }}', 'this is a text&lt;br /&gt;with a new line in it'],
  ['{{ simple.newline_text|linenumbers }}', '1. this is a text\n2. with a new line in it'],
  ['\'{{ "test"|ljust:"20" }}\' {{ "test"|ljust:"20"|length }}', "'test                ' 20"],
  ['{{ "HeLLo"|lower }} {{ "HeLLo"|upper }}', 'hello HELLO'],
  ['{{ simple.name|make_list|join:", " }}', 'j, o, h, n,  , d, o, e'],
  ['{{ "999-PONGO2"|phone2numeric }}', '999-766462'],
  ['customer{{ 0|pluralize }} customer{{ 1|pluralize }} cherr{{ 2|pluralize:"y,ies" }} cherr{{ 1|pluralize:"y,ies" }} walrus{{ 0|pluralize:"es" }}', 'customers customer cherries cherry walruses'],
  ['{{ 5|random }}[{{ ""|random }}]{{ simple.one_item_list|random }}', '5[]99'],
  ['{{ "<strong><i>Hello!</i></strong>"|removetags:"i"|safe }}', '<strong>Hello!</strong>'],
  ['\'{{ "test"|rjust:"20" }}\' \'{{ simple.chinese_hello_world|rjust:10 }}\'', "'                test' '      你好世界'"],
  ['{{ simple.multiple_item_list|slice:":3"|join:"," }} {{ simple.multiple_item_list|slice:"-3:"|join:"," }} {{ simple.multiple_item_list|slice:"2:1"|join:"," }}| {{ "Test"|slice:"1:3" }} {{ simple.chinese_hello_world|slice:"1:3" }}', '1,1,2 21,34,55 | es 好世'],
  ['{{ "Hello, 99, 3.140000, good"|split:", "|join:"|" }}', 'Hello|99|3.140000|good'],
  ['{{ simple.float|stringformat:"%.2f" }} {{ simple.uint|stringformat:"Test: %d" }} {{ simple.chinese_hello_world|stringformat:"Chinese: %s" }} {{ 7|stringformat:"%03d" }}', '3.14 Test: 8 Chinese: 你好世界 007'],
  ['{{ "<strong><i>Hello!</i></strong>"|striptags|safe }}', 'Hello!'],
  ['[{{ ""|title }}][{{ 5|title }}]{{ "hello there!"|title }} {{ "hELLO tHERE!"|title }}', '[][]Hello There! Hello There!'],
  ['{{ "Joel is a slug"|truncatechars:9 }} {{ "Joel is a slug"|truncatechars:14 }} {{ simple.chinese_hello_world|truncatechars:2 }}', 'Joel i... Joel is a slug 你好'],
  ['{{ "<p>This is a long test which will be cutted after some chars.</p>"|truncatechars_html:25 }}', '<p>This is a long test wh...</p>'],
  ['{{ "a b c d e"|truncatewords:2 }} [{{ simple.chinese_hello_world|truncatewords:0 }}]', 'a b ... []'],
  ['{{ "<p>This is a long test which will be cutted after some words.</p>"|truncatewords_html:2 }}', '<p>This is ...</p>'],
  ['{{ "<a name=\'link\' href=\\"https://....\\"><p class=\\"foo\\">This </a>is a long test, which will be cutted after some words.</p>"|truncatewords_html:5 }}', '<a name=\'link\' href="https://...."><p class="foo">This </a>is a long test,...</p>'],
  ['{{ "<p>This. is. a. long test. Test test, test.</p>"|truncatewords_html:8 }} {{ "<p>This is a long test which will be cutted after some chars.</p>"|truncatechars_html:7 }}', '<p>This. is. a. long test. Test test, test....</p> <p>This...</p>'],
  ['{{ "http://www.example.org/foo?a=b&c=d"|urlencode }}', 'http%3A%2F%2Fwww.example.org%2Ffoo%3Fa%3Db%26c%3Dd'],
  ['{{ "www.florian-schlachter.de"|urlize|safe }}', '<a href="http://www.florian-schlachter.de" rel="nofollow">www.florian-schlachter.de</a>'],
  ['{% filter urlizetrunc:15|safe %}mail demo@example.com{% endfilter %}', 'mail <a href="mailto:demo@example.com">demo@example...</a>'],
  ['{{ ""|wordcount }} {{ "one two  three"|wordcount }}', '0 3'],
  ['{{ "a b c d e"|wordwrap:2 }}', 'a b\nc d\ne'],
  ['{{ simple.bool_true|yesno }} {{ simple.bool_false|yesno }} {{ simple.nil|yesno }} {{ simple.bool_false|yesno:"ja,nein,vielleicht" }} {{ simple.nothing|yesno:"ja,nein" }}', 'yes no maybe nein maybe'],
  ['{{ "foobar"|integer }} {{ nothing|integer }} {{ "5.6"|float|integer }} {{ -100|integer }} {{ "42"|integer|add:1 }}', '0 0 5 -100 43'],
  ['{{ "foobar"|float }} {{ "5.5"|float }} {{ 5|float }} {{ -100|float }}', '0.000000 5.500000 5.000000 -100.000000'],
  ['{{ "<b>"|safe }}', '<b>'],
];

test('pongo2 filters: every builtin filter with pongo2\'s semantics and its colon argument syntax', () => {
  const covered = new Set<string>();
  for (const [tpl, want] of filterCases) {
    for (const m of tpl.matchAll(/\|([a-z_0-9]+)/g)) covered.add(m[1]!);
    for (const m of tpl.matchAll(/\{% filter ([a-z_0-9]+)/g)) covered.add(m[1]!);
    assert.equal(render(tpl), want, tpl);
  }
  // date/time need a Go time.Time, which JSON data never holds: they fail as pongo2 fails for anything else.
  assert.throws(() => render('{{ "2024"|date:"2006" }}'), /^Jinja2Error: r\/main\.jinja2:1:11: filter 'date': filter input argument must be of type 'time\.Time'/);
  covered.add('date').add('time');
  const pongo2Filters = 'escape e safe escapejs add addslashes capfirst center cut date default default_if_none divisibleby first floatformat get_digit iriencode join last length length_is linebreaks linebreaksbr linenumbers ljust lower make_list phone2numeric pluralize random removetags rjust slice split stringformat striptags time title truncatechars truncatechars_html truncatewords truncatewords_html upper urlencode urlize urlizetrunc wordcount wordwrap yesno float integer';
  assert.deepEqual(Object.keys(filters).sort(), pongo2Filters.split(' ').sort(), 'exactly pongo2 v6\'s builtin filters');
  assert.deepEqual([...covered].sort(), pongo2Filters.split(' ').sort(), 'a case for every filter');
});

test('pongo2 values and expressions: printing (True, %f floats), truth, precedence, in, and/&&/or/||/not/!', () => {
  const cases: Array<[string, string]> = [
    ['{{ simple.bool_true }} {{ 5.5 }} {{ simple.float }} {{ simple.nil }}[{{ nothing.deep.er }}] {{ simple.misc_list }} {{ simple.strmap }}', 'True 5.500000 3.141500 [] <[]interface {} Value> <map[string]interface {} Value>'],
    ['{{ 1 + 2 * 3 }} {{ (1 + 2) * 3 }} {{ 2 ^ 3 }} {{ 7 / 2 }} {{ 7.0 / 2 }} {{ -5 % 3 }} {{ "a" + 1 }}', '7 9 8.000000 3 3.500000 -2 a1'],
    ['{{ simple.number == 42 }} {{ simple.number <> 42 }} {{ 5 > 1 }} {{ "10" < 9 }} {{ 5.5 == 5.500000 }} {{ 1 == 1.0 }}', 'True False True False True False'],
    ['{{ 1 in simple.multiple_item_list }} {{ 4 in simple.multiple_item_list }} {{ "ohn" in simple.name }} {{ "abc" in simple.strmap }} {{ !(4 in simple.multiple_item_list) }}', 'True False True True True'],
    ['{{ true && false }} {{ true || false }} {{ not simple.nil and 1 }} {{ !simple.name }} {{ not 0 }}', 'False True True False 1'],
    ['{{ simple.multiple_item_list.4 }}[{{ simple.multiple_item_list.10 }}] {{ simple.misc_list[simple.uint - 8] }} {{ simple.strmap["ab" + "c"] }} {{ simple.name.0 }}', '5[] Hello def 106'],
    ['[{{ constructor }}][{{ simple.toString }}][{{ simple["__proto__"] }}]', '[][][]'],
    ['{{ "<b>\'x\' & \\"y\\"</b>" }} {{ simple.name|upper|safe }}', '&lt;b&gt;&#39;x&#39; &amp; &quot;y&quot;&lt;/b&gt; JOHN DOE'],
  ];
  for (const [tpl, want] of cases) assert.equal(render(tpl), want, tpl);
});

test('pongo2 tags: for/forloop/empty/reversed/sorted, if/elif, set scope, with, macros, import, include, filter, firstof, cycle, ifchanged, ifequal, autoescape, whitespace control', () => {
  const cases: Array<[string, string]> = [
    ['{% for x in simple.misc_list %}{{ forloop.Counter }}{{ forloop.Counter0 }}{{ forloop.First }}{{ forloop.Last }}{{ forloop.Revcounter }}:{{ x }} {% endfor %}', '10TrueFalse4:Hello 21FalseFalse3:99 32FalseFalse2:3.140000 43FalseTrue1:good '],
    ['{% for k, v in simple.strmap %}{{ k }}={{ v }},{% endfor %}', 'aab=aba,abc=def,bcd=efg,gh=kqm,ukq=qqa,zab=cde,'],
    ['{% for x in simple.unsorted_int_list sorted %}{{ x }} {% endfor %}|{% for x in simple.one_item_list reversed %}{{ x }}{% endfor %}|{% for x in nothing %}x{% empty %}none{% endfor %}', '1 22 192 249 581 8271 9999 1828591 |99|none'],
    ['{% for a in simple.one_item_list %}{% for b in simple.one_item_list %}{{ forloop.Parentloop.Counter }}{% endfor %}{% endfor %}', '1'],
    ['{% if simple.number < 42 %}a{% elif simple.number > 42 %}b{% elif simple.number >= 42 %}c{% else %}d{% endif %}{% if 0 %}x{% elif nothing %}y{% else %}z{% endif %}', 'cz'],
    ['{% set x = 1 %}{% for i in simple.one_item_list %}{% set x = 2 %}{{ x }}{% endfor %}{{ x }}', '21'],
    ['{% with what=simple.name n=7 %}{{ what }}{{ n }}{% endwith %}{% with simple.name as who %}{{ who }}{% endwith %}[{{ what }}]', 'john doe7john doe[]'],
    ['{% macro greet(to, from=simple.name, n="guest") %}{{ to }}/{{ from }}/{{ n }}{% endmacro %}{{ greet() }} {{ greet(10) }} {{ greet("a", "b", "c") }}', '/john doe/guest 10/john doe/guest a/b/c'],
    ['{% macro html(n) %}<p>{{ n }}</p>{% endmacro %}{{ html("<x>") }}', '<p>&lt;x&gt;</p>'],
    ['{% filter upper|cut:"O" %}hello {{ simple.name }}{% endfilter %}', 'HELL JHN DE'],
    ['{% firstof nothing simple.nil 0 "<x>" simple.name %}', '&lt;x&gt;'],
    ['{% for x in simple.multiple_item_list %}{% cycle "a" "b" "c" %}{% endfor %}|{% cycle "x" "y" as c silent %}{% cycle c %}{% cycle c %}{{ c }}', 'abcabcabca|x'],
    ['{% for x in simple.multiple_item_list %}{% ifchanged x %}{{ x }},{% else %}={% endifchanged %}{% endfor %}', '1,=2,3,5,8,13,21,34,55,'],
    ['{% ifequal simple.number 42 %}eq{% else %}ne{% endifequal %}{% ifnotequal simple.name "x" %}!{% endifnotequal %}', 'eq!'],
    ['{% autoescape off %}{{ "<b>" }}{% endautoescape %}{{ "<b>" }}', '<b>&lt;b&gt;'],
    ['a  {{- " b " -}}  c\n  {%- if true -%}\n d {%- endif %}', 'a b cd'],
    ['{# a comment #}{% comment %}{{ x( }}{% endcomment %}{% templatetag openvariable %}{% verbatim %}{{ raw }}{% endverbatim %}{% widthratio 175 200 100 %}', '{{{{ raw }}88'],
    ['{% spaceless %}<p>\n  <a>x</a>\n</p>{% endspaceless %}{% now "2006-01-02 15:04 Mon" fake %}', '<p><a>x</a></p>2014-02-05 18:31 Wed'],
  ];
  for (const [tpl, want] of cases) assert.equal(render(tpl), want, tpl);

  const lib: TemplateSource[] = [
    { name: 'lib.jinja2', file: 'r/lib.jinja2', text: '{% macro item(x) export %}- {{ x|upper }}{% endmacro %}{% macro other() %}no{% endmacro %}' },
    { name: 'part.jinja2', file: 'r/part.jinja2', text: '[{{ who }}:{{ simple.number }}]' },
    { name: 'base.jinja2', file: 'r/base.jinja2', text: '<{% block body %}base{% endblock %}>' },
  ];
  assert.equal(render("{% import 'lib.jinja2' item, item as it %}{{ item('a') }}{{ it(\"b\") }}", lib), '- A- B');
  assert.equal(render('{% include "part.jinja2" with who="me" %}{% include "part.jinja2" with who="me" only %}{% include "nope.jinja2" if_exists %}', lib), '[me:42][me:]');
  assert.equal(render('{% extends "base.jinja2" %}{% block body %}child+{{ block.Super }}{% endblock %}', lib), '<child+base>');
  assert.throws(() => render("{% import 'lib.jinja2' other %}", lib), /^Jinja2Error: r\/main\.jinja2:1:24: Macro 'other' not found \(or not exported\) in 'lib\.jinja2'\./);
});

test('pongo2 errors name the template file, line and column: syntax at load, evaluation at render, inside imported macros too', () => {
  const compile = (text: string, more: TemplateSource[] = []) => new Jinja2Set([{ name: 'main.jinja2', file: 'r/main.jinja2', text }, ...more]).check('main.jinja2');
  const loadErrors: Array<[string, RegExp]> = [
    ['a\n{{ }}', /^r\/main\.jinja2:2:4: Expected either a number, string, keyword or identifier\./],
    ['a\nb {{ (1 - 1 }}', /^r\/main\.jinja2:2:13: Closing bracket expected after expression/],
    ['{{ 1|float: }}', /^r\/main\.jinja2:1:13: Filter parameter required after ':'/],
    ['\n\n  {{ "test"|non_existent_filter }}', /^r\/main\.jinja2:3:13: Filter 'non_existent_filter' does not exist\./],
    ['{{ "test"|"test" }}', /^r\/main\.jinja2:1:11: Filter name must be an identifier\./],
    ['{% if true %}', /^r\/main\.jinja2:1:12: Unexpected EOF, expected tag elif or else or endif\./],
    ['{% if (1) . %}{% endif %}', /^r\/main\.jinja2:1:\d+: If-condition is malformed\./],
    ['{% block test %}{% block test %}{% endblock %}{% endblock test2 %}', /Name for 'endblock' must equal to 'block'-tag's name \('test' != 'test2'\)\./],
    ['{% macro m() export %}{% endmacro %}{% macro m() export %}{% endmacro %}', /^r\/main\.jinja2:1:40: another macro with name 'm' already exported/],
    ['x\n{% nosuchtag %}', /^r\/main\.jinja2:2:4: Tag 'nosuchtag' not found/],
    ['{{ a\n}}', /^r\/main\.jinja2:1:5: Newline not allowed within tag\/variable\./],
    ['{{ "a\\q" }}', /^r\/main\.jinja2:1:4: Unknown escape sequence: \\q/],
    ["{% import 'lib.jinja2' m %}", /^r\/main\.jinja2:1:11: template 'lib\.jinja2' not found/],
    ['{% import "lib.jinja2" m %}', /^r\/lib\.jinja2:2:4: Expected either a number, string, keyword or identifier\./],
  ];
  const brokenLib = [{ name: 'lib.jinja2', file: 'r/lib.jinja2', text: '{% macro m() export %}\n{{ }}{% endmacro %}' }];
  for (const [tpl, re] of loadErrors) {
    assert.throws(
      () => compile(tpl, tpl.includes('"lib.jinja2"') ? brokenLib : []),
      (e: unknown) => e instanceof Jinja2Error && re.test(e.message),
      tpl,
    );
  }
  const renderErrors: Array<[string, RegExp]> = [
    ['ok\n  {{ -(true || false) }}', /^r\/main\.jinja2:2:8: Negative sign on a non-number expression/],
    ['{{ simple.name.first }}', /^r\/main\.jinja2:1:4: can't access a field by name on type string \(variable simple\.name\.first\)/],
    ['{{ simple.strmap.0 }}', /^r\/main\.jinja2:1:4: can't access an index on type map \(variable simple\.strmap\.0\)/],
    ['{{ simple.name() }}', /^r\/main\.jinja2:1:4: 'simple\.name' is not a function \(it is string\)/],
    ['\n{{ "x"|pluralize }}', /^r\/main\.jinja2:2:8: filter 'pluralize': filter 'pluralize' does only work on numbers/],
    ['{% macro g(a) %}{{ a }}{% endmacro %}{{ g(1, 2) }}', /^r\/main\.jinja2:1:4: Macro 'g' called with too many arguments \(2 instead of 1\)\./],
    ['{% macro number() export %}{% endmacro %}', /^r\/main\.jinja2: context key name 'number' clashes with macro 'number'/],
    ["{% import 'lib.jinja2' bad %}\n{{ bad(1) }}", /^r\/lib\.jinja2:2:9: can't access a field by name on type int64 \(variable x\.y\)/],
    ['{{ 1 / 0 }}', /^r\/main\.jinja2:1:6: integer divide by zero/],
    ['{% macro r(n) %}{{ r(n) }}{% endmacro %}{{ r(1) }}', /macros or includes nest more than 500 deep/],
  ];
  const lib = [{ name: 'lib.jinja2', file: 'r/lib.jinja2', text: '{% macro bad(x) export %}\n  ok {{ x.y }}{% endmacro %}' }];
  for (const [tpl, re] of renderErrors) {
    assert.throws(
      () => render(tpl, lib),
      (e: unknown) => e instanceof Jinja2Error && re.test(e.message),
      tpl,
    );
  }
});
