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

/** Counts what the wrapped exporter delivers and fails to deliver; the service never waits on it. */
export class CountingExporter implements SpanExporter {
  constructor(private readonly inner: SpanExporter) {}

  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    this.inner.export(spans, (result) => {
      if (result.code === ExportResultCode.SUCCESS) telemetryStats.exportedSpans += spans.length;
      else telemetryStats.failedSpans += spans.length;
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

/** The same for log records. */
export class CountingLogExporter implements LogRecordExporter {
  constructor(private readonly inner: LogRecordExporter) {}

  export(records: ReadableLogRecord[], done: (result: ExportResult) => void): void {
    this.inner.export(records, (result) => {
      if (result.code === ExportResultCode.SUCCESS) telemetryStats.exportedLogs += records.length;
      else telemetryStats.failedLogs += records.length;
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
