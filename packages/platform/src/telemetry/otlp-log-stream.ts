import { Writable } from 'node:stream';
import { SeverityNumber, type LogRecord } from '@opentelemetry/api';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchLogRecordProcessor, LoggerProvider } from '@opentelemetry/sdk-logs';
import { mtlsClientOptions, type TlsFiles } from '../tls.js';

export interface OtlpLogStreamOptions {
  /** OTLP/HTTP base URL (the collector's internal port); /v1/logs is appended. */
  readonly endpoint: string;
  /** The sender's API key at the collector. */
  readonly token: string;
  readonly tls: TlsFiles;
  /** service.name of the records (the component they come from). */
  readonly serviceName: string;
  readonly attributes?: Readonly<Record<string, string>>;
}

/**
 * A pino destination that sends each JSON line as an OpenTelemetry log record, its fields as
 * attributes: for a process without the SDK (the access gateways), so its records reach the log
 * store like the services' do. `close()` sends what is still batched.
 */
export function otlpLogStream(opts: OtlpLogStreamOptions): Writable & { close(): Promise<void> } {
  const provider = new LoggerProvider({
    resource: resourceFromAttributes({ 'service.name': opts.serviceName, 'service.namespace': 'orderscope', ...opts.attributes }),
    processors: [
      new BatchLogRecordProcessor({
        exporter: new OTLPLogExporter({
          url: `${opts.endpoint.replace(/\/$/, '')}/v1/logs`,
          headers: { Authorization: `Bearer ${opts.token}` },
          httpAgentOptions: { ...mtlsClientOptions(opts.tls), keepAlive: true },
        }),
        maxQueueSize: 8192,
        scheduledDelayMillis: 1000,
      }),
    ],
  });
  const logger = provider.getLogger('orderscope');
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (!line) continue;
        try {
          const { msg, ...fields } = JSON.parse(line) as Record<string, unknown>;
          logger.emit({
            severityNumber: SeverityNumber.INFO,
            severityText: 'info',
            body: typeof msg === 'string' ? msg : opts.serviceName,
            attributes: fields as LogRecord['attributes'],
          });
        } catch {
          // not JSON: pino writes nothing else
        }
      }
      done();
    },
  });
  return Object.assign(stream, { close: () => provider.shutdown() });
}
