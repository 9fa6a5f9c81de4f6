import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';

/** What left this process, and what was lost on the way (collector unreachable, queue full). */
export const telemetryStats = {
  enabled: false,
  exportedSpans: 0,
  /** Spans in batches the exporter could not deliver. */
  failedSpans: 0,
  /** Spans dropped before export because the batch queue was full. */
  queueDroppedSpans: 0,
};

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
