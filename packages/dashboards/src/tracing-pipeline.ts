import { DashboardBuilder, RowBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { graph, prom, promNow, promTable } from './panels.js';

/** A collector metric with or without the _total suffix its exporter may add. */
const m = (name: string, labels = '') => `{__name__=~"${name}(_total)?"${labels ? `,${labels}` : ''}}`;

/** The log store's two queues, one per severity class (collector/config.yaml). */
const LOG_QUEUES = 'job="otelcol",exporter=~"otlp_http/logs_.*"';

/**
 * The alerts on the logging pipeline (prometheus/rules/logging.yml), and the store's scrape target
 * down (ScrapeTargetDown, job victorialogs): one row each, 1 while it fires, else 0.
 */
export const LOGGING_ALERTS = ['LogRecordsRefused', 'LogRecordsDropped', 'LogStoreUnreachable', 'ScrapeTargetDown'] as const;
const loggingAlertsFiring = [
  `max by (alertname, severity, exporter, receiver, job) (ALERTS{alertstate="firing",alertname=~"${LOGGING_ALERTS.filter((a) => a !== 'ScrapeTargetDown').join('|')}"} or ALERTS{alertstate="firing",alertname="ScrapeTargetDown",job="victorialogs"})`,
  ...LOGGING_ALERTS.map((a) => `label_replace(vector(0), "alertname", "${a}", "", "")`),
].join('\nor on (alertname) ');

/**
 * Tracing pipeline: what the collector takes in, refuses and drops, what the sampling keeps and
 * why, its queue and memory, and Jaeger behind it; and the same for the log records on their way
 * to the log store (VictoriaLogs), with the store's ingest, disk and memory.
 */
export const tracingPipeline = () =>
  new DashboardBuilder('Tracing pipeline')
    .uid('orderscope-tracing-pipeline')
    .description('Spans accepted, refused, dropped; kept per sampling policy; the export queue; memory; Jaeger; certificate expiry. Log records accepted, refused, sent per severity queue and lost; the log queues; the log store; the logging alerts.')
    .tags(['orderscope'])
    .refresh('30s')
    .time({ from: 'now-1h', to: 'now' })
    .withRow(new RowBuilder('In'))
    .withPanel(graph('Spans accepted per second', 'Per receiver (the services on OTLP, the internal receiver).', 'ops', prom(`sum by (receiver) (rate(${m('otelcol_receiver_accepted_spans', 'job="otelcol"')}[$__rate_interval]))`, '{{receiver}}')))
    .withPanel(
      graph(
        'Spans refused per second',
        'Refused at a receiver (TracingSpansRefused), and by the memory limiter (TracingMemoryLimiterRefusing).',
        'ops',
        prom(`sum by (receiver) (rate(${m('otelcol_receiver_refused_spans', 'job="otelcol"')}[$__rate_interval]))`, '{{receiver}}'),
        prom(`sum(rate(${m('otelcol_processor_memory_limiter_refused_spans', 'job="otelcol"')}[$__rate_interval])) or vector(0)`, 'memory limiter'),
      ),
    )
    .withRow(new RowBuilder('Sampling'))
    .withPanel(graph('Spans kept per sampling policy', 'What reached Jaeger, per policy that kept it (traces_kept_calls_total).', 'ops', prom('sum by (sampling_policy) (rate(traces_kept_calls_total[$__rate_interval]))', '{{sampling_policy}}')))
    .withPanel(graph('Sampling decisions per second', 'Traces the tail sampling decided on.', 'ops', prom(`sum by (sampled) (rate(${m('otelcol_processor_tail_sampling_count_traces_sampled')}[$__rate_interval]))`, 'sampled={{sampled}}')))
    .withPanel(
      graph(
        'Error spans kept',
        'The share of the error spans the services sent (span metrics, before sampling) that reached Jaeger: below 80 % for 10 minutes, the sampling budget is exhausted (SamplingBudgetExhausted).',
        'percentunit',
        prom(
          'sum(rate(traces_kept_calls_total{status_code="STATUS_CODE_ERROR"}[$__rate_interval])) / sum(rate(traces_span_metrics_calls_total{status_code="STATUS_CODE_ERROR"}[$__rate_interval]))',
          'kept',
        ),
      ),
    )
    .withPanel(
      graph(
        'Traces evicted before their decision',
        'The sampler had no room left (num_traces, OTELCOL_HOLD_TRACES): these were decided on part of their spans (TailSamplerOverflowing).',
        'ops',
        prom(`sum by (job) (rate(${m('otelcol_processor_tail_sampling_sampling_trace_dropped_too_early')}[$__rate_interval]))`, '{{job}}'),
      ),
    )
    .withPanel(graph('Traces held in memory', 'Traces waiting for their decision (decision_wait, and the hold for late problems).', 'short', prom(`sum(${m('otelcol_processor_tail_sampling_sampling_traces_on_memory')})`, 'traces')))
    .withRow(new RowBuilder('Out'))
    .withPanel(graph('Export queue', 'Spans waiting in each exporter queue (it survives a Jaeger outage on disk).', 'short', prom(`sum by (exporter) (${m('otelcol_exporter_queue_size')})`, '{{exporter}}')))
    .withPanel(
      graph(
        'Spans sent and lost per second',
        'Sent to Jaeger, failed for good, or refused by a full queue (TracingSpansDropped).',
        'ops',
        prom(`sum by (exporter) (rate(${m('otelcol_exporter_sent_spans')}[$__rate_interval]))`, 'sent {{exporter}}'),
        prom(`sum by (exporter) (rate(${m('otelcol_exporter_send_failed_spans')}[$__rate_interval])) or vector(0)`, 'failed {{exporter}}'),
        prom(`sum by (exporter) (rate(${m('otelcol_exporter_enqueue_failed_spans')}[$__rate_interval])) or vector(0)`, 'queue full {{exporter}}'),
      ),
    )
    .withPanel(graph('Collector heap', "The collector's Go heap against its memory limiter.", 'bytes', prom(`sum by (job) (${m('otelcol_process_runtime_heap_alloc_bytes')})`, '{{job}}')))
    .withPanel(graph('Up', 'Every scrape target (1 up, 0 down): the collector, Alertmanager, Prometheus, the services.', 'short', prom('up', '{{job}} {{instance}}')))
    .withPanel(
      promTable(
        'Certificates: time left',
        'Seconds until each certificate the services use expires (the CA, their server and client certificates; CertificateExpiresSoon below 14 days).',
        promNow('min by (service, certificate, subject) (orderscope_tls_certificate_not_after_seconds) - time()'),
      ),
    )
    .withPanel(
      promTable(
        "The stack's servers' certificates: time left",
        'Seconds until the certificate of each TLS server of the stack expires, as the CRM meets it in a handshake once a minute (PeerCertificateExpiresSoon below 14 days; TLSPeerProbeFailing when the handshake fails).',
        promNow('min by (peer, subject) (orderscope_tls_peer_certificate_not_after_seconds) - time()'),
      ),
    )
    .withPanel(graph('Jaeger and the collector running', "Uptime as they report it (Jaeger's own metrics come through the collector).", 's', prom('max by (job) ({__name__=~"otelcol_process_uptime.*"})', '{{job}}')))
    .withRow(new RowBuilder('Logs'))
    .withPanel(
      graph(
        'Log records accepted per second',
        "Per receiver: otlp is the services' records, otlp/internal the collector's, Jaeger's and the access gateways' own. The collector's metrics do not say which service sent a record.",
        'ops',
        prom(`sum by (receiver) (rate(${m('otelcol_receiver_accepted_log_records', 'job="otelcol"')}[$__rate_interval]))`, '{{receiver}}'),
      ),
    )
    .withPanel(
      graph(
        'Log records refused per second',
        "Refused at a receiver (LogRecordsRefused), and by the logs' memory limiter (memory_limiter/logs, OTELCOL_LOGS_MEMORY_LIMIT_MIB); the SDKs keep and retry them.",
        'ops',
        prom(`sum by (receiver) (rate(${m('otelcol_receiver_refused_log_records', 'job="otelcol"')}[$__rate_interval]))`, '{{receiver}}'),
        prom(`sum(rate(${m('otelcol_processor_memory_limiter_refused_log_records', 'job="otelcol"')}[$__rate_interval])) or vector(0)`, 'memory limiter'),
      ),
    )
    .withPanel(
      graph(
        'Log records sent and lost per second',
        'Sent to the log store per severity queue (otlp_http/logs_important: warnings and errors; otlp_http/logs_routine: INFO or unstated), failed for good, refused by a full queue (LogRecordsDropped), and dropped by the store itself (vl_rows_dropped_total).',
        'ops',
        prom(`sum by (exporter) (rate(${m('otelcol_exporter_sent_log_records', LOG_QUEUES)}[$__rate_interval]))`, 'sent {{exporter}}'),
        prom(`sum by (exporter) (rate(${m('otelcol_exporter_send_failed_log_records', LOG_QUEUES)}[$__rate_interval])) or vector(0)`, 'failed {{exporter}}'),
        prom(`sum by (exporter) (rate(${m('otelcol_exporter_enqueue_failed_log_records', LOG_QUEUES)}[$__rate_interval])) or vector(0)`, 'queue full {{exporter}}'),
        prom('sum(rate(vl_rows_dropped_total{job="victorialogs"}[$__rate_interval]))', 'dropped by the store'),
      ),
    )
    .withPanel(
      graph(
        'Log queues: how full',
        'Records waiting in each severity queue (on disk) against its capacity (OTELCOL_LOG_QUEUE_IMPORTANT, OTELCOL_LOG_QUEUE_ROUTINE): they fill while the store is unreachable (LogStoreUnreachable), the routine one first; at 100 % records are dropped.',
        'percentunit',
        prom(`sum by (exporter) (${m('otelcol_exporter_queue_size', LOG_QUEUES)}) / sum by (exporter) (${m('otelcol_exporter_queue_capacity', LOG_QUEUES)})`, '{{exporter}}'),
      ),
    )
    .withPanel(graph('Log store: records ingested per second', 'Rows VictoriaLogs took in, per ingestion protocol (vl_rows_ingested_total).', 'ops', prom('sum by (type) (rate(vl_rows_ingested_total{job="victorialogs"}[$__rate_interval]))', '{{type}}')))
    .withPanel(graph('Log store: disk', "VictoriaLogs' data on disk, the records (storage) and their index (indexdb) (vl_data_size_bytes).", 'bytes', prom('sum by (type) (vl_data_size_bytes{job="victorialogs"})', '{{type}}')))
    .withPanel(graph('Log store: memory', "VictoriaLogs' resident memory (process_resident_memory_bytes).", 'bytes', prom('max by (instance) (process_resident_memory_bytes{job="victorialogs"})', '{{instance}}')))
    .withPanel(
      promTable(
        'Logging alerts firing',
        'Each alert on the logging pipeline (prometheus/rules/logging.yml) and the log store scrape target down (ScrapeTargetDown for job victorialogs): 1 while it fires, with its exporter or receiver; 0 when it does not.',
        promNow(loggingAlertsFiring),
      ),
    );
