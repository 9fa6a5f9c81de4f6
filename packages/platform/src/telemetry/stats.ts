import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { LogRecordExporter, ReadableLogRecord } from '@opentelemetry/sdk-logs';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';

export interface TelemetryStats {
  enabled: boolean;
  exportedSpans: number;
  /** Spans in batches the exporter could not deliver. */
  failedSpans: number;
  /** Spans dropped before export because the batch queue was full. */
  queueDroppedSpans: number;
  exportedLogs: number;
  /** Log records in batches the exporter could not deliver. */
  failedLogs: number;
}

/**
 * What left this process, and what was lost on the way (collector unreachable, queue full).
 * Kept on globalThis: the SDK is started from the --import module, and the loader hook may give
 * the app its own instance of this module.
 */
const KEY = Symbol.for('orderscope.telemetry.stats');
const holder = globalThis as unknown as Record<symbol, TelemetryStats | undefined>;
export const telemetryStats: TelemetryStats = (holder[KEY] ??= {
  enabled: false,
  exportedSpans: 0,
  failedSpans: 0,
  queueDroppedSpans: 0,
  exportedLogs: 0,
  failedLogs: 0,
});

/** What both SDK exporters are, as far as counting them goes. */
interface Exporter<T> {
  export(items: T[], done: (result: ExportResult) => void): void;
  shutdown(): Promise<void>;
  forceFlush?(): Promise<void>;
}
type Counter = { [K in keyof TelemetryStats]: TelemetryStats[K] extends number ? K : never }[keyof TelemetryStats];

/** Counts what the wrapped exporter delivers and fails to deliver; the service never waits on it. */
class Counting<T> implements Exporter<T> {
  constructor(
    private readonly inner: Exporter<T>,
    private readonly delivered: Counter,
    private readonly failed: Counter,
  ) {}

  export(items: T[], done: (result: ExportResult) => void): void {
    this.inner.export(items, (result) => {
      telemetryStats[result.code === ExportResultCode.SUCCESS ? this.delivered : this.failed] += items.length;
      done(result);
    });
  }
  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }
  forceFlush(): Promise<void> {
    return this.inner.forceFlush?.() ?? Promise.resolve();
  }
}

export class CountingExporter extends Counting<ReadableSpan> implements SpanExporter {
  constructor(inner: SpanExporter) {
    super(inner, 'exportedSpans', 'failedSpans');
  }
}

export class CountingLogExporter extends Counting<ReadableLogRecord> implements LogRecordExporter {
  constructor(inner: LogRecordExporter) {
    super(inner, 'exportedLogs', 'failedLogs');
  }
}
