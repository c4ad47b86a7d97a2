// Printer-column machinery: the JSONPath subset, age rendering, and cell
// typing, checked as data (expression, object, expected cell).

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileJsonPath, evalJsonPath, JsonPathError } from '../../src/apiserver/jsonpath.js';
import { humanDuration, renderTable } from '../../src/apiserver/table.js';
import type { ResourceType } from '../../src/apiserver/registry/resources.js';

const obj = {
  metadata: { name: 'a', labels: { 'app.kubernetes.io/name': 'web' }, creationTimestamp: new Date(Date.now() - 90_000).toISOString() },
  spec: { size: 3, ports: [{ name: 'http', port: 80 }, { name: 'https', port: 443 }], on: true },
  status: { conditions: [{ type: 'Synced', status: 'False' }, { type: 'Ready', status: 'True' }] },
};

describe('JSONPath subset', () => {
  const cases: [string, unknown[]][] = [
    ['.spec.size', [3]],
    ['{.spec.size}', [3]],
    ['.spec.ports[1].port', [443]],
    ['.spec.ports[-1].name', ['https']],
    ['.spec.ports[*].port', [80, 443]],
    ['.status.conditions[?(@.type=="Ready")].status', ['True']],
    [".status.conditions[?(@.type!='Ready')].type", ['Synced']],
    ['.metadata.labels.app\\.kubernetes\\.io/name', ['web']],
    [".metadata.labels['app.kubernetes.io/name']", ['web']],
    ['.spec.missing', []],
    ['.spec.size.deeper', []],
  ];
  for (const [expr, want] of cases) it(expr, () => assert.deepEqual(evalJsonPath(compileJsonPath(expr), obj), want));

  it('rejects what it does not support', () => {
    for (const expr of ['..spec', '.spec[', '.a[?(@.x > 1)]', '.a[foo]']) assert.throws(() => compileJsonPath(expr), JsonPathError, expr);
  });
});

describe('table rendering', () => {
  it('renders ages like kubectl', () => {
    const s = 1000;
    const cases: [number, string][] = [[-5 * s, '<invalid>'], [0, '0s'], [59 * s, '59s'], [119 * s, '119s'], [150 * s, '2m30s'], [600 * s, '10m'], [3 * 3600 * s + 5 * 60 * s, '3h5m'], [30 * 3600 * s, '30h'], [3 * 86400 * s + 4 * 3600 * s, '3d4h'], [40 * 86400 * s, '40d'], [800 * 86400 * s, '2y70d']];
    for (const [ms, want] of cases) assert.equal(humanDuration(ms), want, String(ms));
  });

  it('types cells per column type and renders absent fields as null', () => {
    const t = {
      printerColumns: [
        { name: 'Size', type: 'integer', jsonPath: '.spec.size', priority: 0 },
        { name: 'On', type: 'boolean', jsonPath: '.spec.on', priority: 0 },
        { name: 'Ports', type: 'string', jsonPath: '.spec.ports[0]', priority: 1 },
        { name: 'Nope', type: 'string', jsonPath: '.spec.nope', priority: 0 },
        { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp', priority: 0 },
      ],
    } as unknown as ResourceType;
    const table = renderTable(t, [obj as never], { version: 'v1', include: 'None' }) as { columnDefinitions: { name: string; priority: number }[]; rows: { cells: unknown[]; object?: unknown }[] };
    assert.deepEqual(table.columnDefinitions.map((c) => c.name), ['Name', 'Size', 'On', 'Ports', 'Nope', 'Age']);
    assert.deepEqual(table.rows[0].cells, ['a', 3, true, '{"name":"http","port":80}', null, '90s']);
    assert.equal(table.rows[0].object, undefined);
  });
});
