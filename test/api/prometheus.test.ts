import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Histogram, exponentialBuckets, formatFloat } from '../../src/api/prometheus.js';

test('client-go workqueue buckets print as a Go exporter prints them (dashboards match le strings)', () => {
  // The le values a controller-runtime /metrics shows for workqueue_queue_duration_seconds.
  assert.deepEqual(exponentialBuckets(10e-9, 10, 12).map(formatFloat), [
    '1e-08', '1e-07', '1e-06', '9.999999999999999e-06', '9.999999999999999e-05', '0.001', '0.01', '0.1', '1', '10', '100', '1000',
  ]);
  assert.deepEqual([0.005, 1.25, 60, 1e21, 123456789, -2.5e-7].map(formatFloat), ['0.005', '1.25', '60', '1e+21', '123456789', '-2.5e-07']);
});

test('a histogram renders cumulative buckets, +Inf, sum and count', () => {
  const h = new Histogram([0.1, 1, 10]);
  for (const v of [0.05, 0.1, 0.5, 2, 50]) h.observe(v);
  const out: string[] = [];
  h.render(out, 'x_seconds', 'controller="c"');
  assert.deepEqual(out, [
    'x_seconds_bucket{controller="c",le="0.1"} 2',
    'x_seconds_bucket{controller="c",le="1"} 3',
    'x_seconds_bucket{controller="c",le="10"} 4',
    'x_seconds_bucket{controller="c",le="+Inf"} 5',
    'x_seconds_sum{controller="c"} 52.65',
    'x_seconds_count{controller="c"} 5',
  ]);
});
