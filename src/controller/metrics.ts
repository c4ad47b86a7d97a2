// The controllers' metrics in the exposition format, under the names
// controller-runtime users have dashboards for:
//   controller_runtime_reconcile_total{controller,result}  success|error|requeue|requeue_after
//   controller_runtime_reconcile_errors_total{controller}  errors, terminal (FatalError) included
//   controller_runtime_terminal_reconcile_errors_total{controller}
//   controller_runtime_reconcile_panics_total{controller}  TypeError/RangeError/ReferenceError or a non-Error thrown
//   controller_runtime_reconcile_time_seconds{controller}  histogram, controller-runtime's buckets
//   controller_runtime_max_concurrent_reconciles / controller_runtime_active_workers{controller}
//   workqueue_depth / workqueue_adds_total / workqueue_retries_total{name,controller}
//   workqueue_queue_duration_seconds / workqueue_work_duration_seconds{name,controller}  client-go's buckets
//   workqueue_unfinished_work_seconds / workqueue_longest_running_processor_seconds{name,controller}
// (controller-runtime pkg/internal/controller/metrics and pkg/metrics/workqueue.go; the queue is named
// after its controller there too.)
//
// Key idea: nothing here runs per reconcile. Controllers and queues keep plain
// counters and histograms; this module reads them when /metrics is scraped.

import { escapeLabel, family, formatFloat } from '../api/prometheus.js';
import type { Controller } from './controller.js';

/** Appends the controller and workqueue families for `controllers` (every family, even with no controllers). */
export function collectControllerMetrics(controllers: readonly Controller[], out: string[]): void {
  const labels = controllers.map((c) => `controller="${escapeLabel(c.name)}"`);
  const qlabels = controllers.map((c) => `name="${escapeLabel(c.name)}",controller="${escapeLabel(c.name)}"`);
  const each = (name: string, value: (c: Controller) => number, ls = labels) => controllers.forEach((c, i) => out.push(`${name}{${ls[i]}} ${formatFloat(value(c))}`));

  family(out, 'controller_runtime_reconcile_total', 'counter', 'Total number of reconciliations per controller');
  controllers.forEach((c, i) => {
    const o = c.outcomes;
    out.push(`controller_runtime_reconcile_total{${labels[i]},result="error"} ${o.Error + o.Fatal}`);
    out.push(`controller_runtime_reconcile_total{${labels[i]},result="requeue"} ${o.Requeue}`);
    out.push(`controller_runtime_reconcile_total{${labels[i]},result="requeue_after"} ${o.RequeueAfter}`);
    out.push(`controller_runtime_reconcile_total{${labels[i]},result="success"} ${o.Done}`);
  });
  family(out, 'controller_runtime_reconcile_errors_total', 'counter', 'Total number of reconciliation errors per controller');
  each('controller_runtime_reconcile_errors_total', (c) => c.outcomes.Error + c.outcomes.Fatal);
  family(out, 'controller_runtime_terminal_reconcile_errors_total', 'counter', 'Total number of terminal reconciliation errors per controller');
  each('controller_runtime_terminal_reconcile_errors_total', (c) => c.outcomes.Fatal);
  family(out, 'controller_runtime_reconcile_panics_total', 'counter', 'Total number of reconciliation panics per controller');
  each('controller_runtime_reconcile_panics_total', (c) => c.panics);
  family(out, 'controller_runtime_reconcile_time_seconds', 'histogram', 'Length of time per reconciliation per controller');
  controllers.forEach((c, i) => c.reconcileTime.render(out, 'controller_runtime_reconcile_time_seconds', labels[i]!));
  family(out, 'controller_runtime_max_concurrent_reconciles', 'gauge', 'Maximum number of concurrent reconciles per controller');
  each('controller_runtime_max_concurrent_reconciles', (c) => c.workers);
  family(out, 'controller_runtime_active_workers', 'gauge', 'Number of currently used workers per controller');
  each('controller_runtime_active_workers', (c) => c.queue.inFlight());

  family(out, 'workqueue_depth', 'gauge', 'Current depth of workqueue');
  each('workqueue_depth', (c) => c.queue.depth(), qlabels);
  family(out, 'workqueue_adds_total', 'counter', 'Total number of adds handled by workqueue');
  each('workqueue_adds_total', (c) => c.queue.addsAccepted, qlabels);
  family(out, 'workqueue_retries_total', 'counter', 'Total number of retries handled by workqueue');
  each('workqueue_retries_total', (c) => c.queue.retries, qlabels);
  const now = performance.now();
  family(out, 'workqueue_unfinished_work_seconds', 'gauge', "How many seconds of work has been done that is in progress and hasn't been observed by work_duration. Large values indicate stuck threads. One can deduce the number of stuck threads by observing the rate at which this increases.");
  each('workqueue_unfinished_work_seconds', (c) => c.queue.unfinishedWorkSeconds(now), qlabels);
  family(out, 'workqueue_longest_running_processor_seconds', 'gauge', 'How many seconds has the longest running processor for workqueue been running.');
  each('workqueue_longest_running_processor_seconds', (c) => c.queue.longestRunningProcessorSeconds(now), qlabels);
  family(out, 'workqueue_queue_duration_seconds', 'histogram', 'How long in seconds an item stays in workqueue before being requested');
  controllers.forEach((c, i) => c.queue.queueDuration.render(out, 'workqueue_queue_duration_seconds', qlabels[i]!));
  family(out, 'workqueue_work_duration_seconds', 'histogram', 'How long in seconds processing an item from workqueue takes.');
  controllers.forEach((c, i) => c.queue.workDuration.render(out, 'workqueue_work_duration_seconds', qlabels[i]!));
}
