import { Counter, type Registry } from 'prom-client';
import { telemetryStats, type TelemetryStats } from '../telemetry/stats.js';

type Count = { [K in keyof TelemetryStats]: TelemetryStats[K] extends number ? K : never }[keyof TelemetryStats];

/** A counter that follows one of telemetryStats' counts (which only grow) when scraped. */
function follow(counter: Counter<string>, labels: Record<string, string>, key: Count): () => void {
  let seen = 0;
  counter.inc(labels, 0);
  return () => {
    const now = telemetryStats[key];
    if (now > seen) counter.inc(labels, now - seen);
    seen = now;
  };
}

/**
 * What the service's own telemetry delivered to the collector and lost on the way (collector
 * away, queue full), as the service counts it: where an SRE looks when traces go missing
 * (alert TelemetryLostAtSource, prometheus/rules/tracing-pipeline.yml).
 */
export function telemetryMetrics(registry: Registry): void {
  const updates: Array<() => void> = [];
  const counter = (name: string, help: string, labelNames: string[]) =>
    new Counter({ name, help, labelNames, registers: [registry], collect: () => updates.forEach((u) => u()) });
  const spans = counter('orderscope_telemetry_spans_exported_total', 'Spans this service delivered to the collector.', []);
  const spansLost = counter('orderscope_telemetry_spans_lost_total', 'Spans this service could not deliver, per reason.', ['reason']);
  const logs = counter('orderscope_telemetry_logs_exported_total', 'Log records this service delivered to the collector.', []);
  const logsLost = counter('orderscope_telemetry_logs_lost_total', 'Log records this service could not deliver, per reason.', ['reason']);
  updates.push(
    follow(spans, {}, 'exportedSpans'),
    follow(spansLost, { reason: 'export_failed' }, 'failedSpans'),
    follow(spansLost, { reason: 'queue_full' }, 'queueDroppedSpans'),
    follow(logs, {}, 'exportedLogs'),
    follow(logsLost, { reason: 'export_failed' }, 'failedLogs'),
  );
}
