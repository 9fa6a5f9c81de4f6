import type { IncomingMessage } from 'node:http';
import { context, diag, DiagLogLevel, logs, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { PinoInstrumentation } from '@opentelemetry/instrumentation-pino';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchLogRecordProcessor, LoggerProvider } from '@opentelemetry/sdk-logs';
import { BatchSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { z } from 'zod';
import { envTypes, parseEnv, type Env } from '../config/env.js';
import { hasBearer } from '../http/auth.js';
import { mtlsClientOptions } from '../tls.js';
import { BaggageSpanProcessor } from './span-processor.js';
import { CountingExporter, CountingLogExporter, telemetryStats } from './stats.js';

const telemetryEnvSchema = (serviceNames: readonly [string, ...string[]]) => z.object({
  OTEL_SERVICE_NAME: z.enum(serviceNames),
  OTEL_SERVICE_VERSION: z.string().min(1).default('0.1.0'),
  DEPLOYMENT_ENVIRONMENT: z.string().min(1).default('local'),
  /** OTLP/HTTP base URL of the collector; the exporters append /v1/traces and /v1/logs. TLS only. */
  OTEL_EXPORTER_OTLP_ENDPOINT: z
    .url()
    .refine((url) => url.startsWith('https://'), 'must be an https:// URL: spans never travel in plain text')
    .default('https://127.0.0.1:4318'),
  /** The CA that signed the collector's certificate, and this service's client certificate and
   *  key (the OTLP exporter variables of the OpenTelemetry spec). */
  OTEL_EXPORTER_OTLP_CERTIFICATE: z.string().min(1),
  OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE: z.string().min(1),
  OTEL_EXPORTER_OTLP_CLIENT_KEY: z.string().min(1),
  /** This service's API key at the collector (bearer token; OTEL_EXPORTER_OTLP_TOKEN_FILE). */
  OTEL_EXPORTER_OTLP_TOKEN: envTypes.secret(),
  /** Log records over OTLP too (besides stdout): off only for a service run on its own. */
  OTEL_LOGS_OTLP: envTypes.bool(true),
  /** Only callers that prove they are one of the services may continue a trace (see below). */
  INTERNAL_API_TOKEN: envTypes.secret(),
});

export interface TelemetryOptions {
  /** The names OTEL_SERVICE_NAME may take. */
  readonly serviceNames: readonly [string, ...string[]];
  /** Baggage entries copied onto every span as attributes. */
  readonly baggageAttributes: readonly string[];
}

/** The running SDK: shutting it down flushes what is still queued. */
export interface Telemetry {
  shutdown(): Promise<void>;
}

/**
 * Starts the OpenTelemetry SDK for one service: every span and every log record leaves the process
 * (the collector decides what to keep), over OTLP/HTTP, in batches; a collector outage costs
 * telemetry, never requests. Built from the SDK's parts rather than NodeSDK, whose every exporter,
 * detector and instrumentation package cost each service ~35 MiB and start-up time for nothing
 * (docs/benchmarks.md, B1 and B4): four instrumentations, one exporter per signal.
 */
export function startTelemetry(opts: TelemetryOptions, env: Env = process.env): Telemetry | null {
  if (parseEnv(z.object({ OTEL_SDK_DISABLED: envTypes.bool(false) }), env).OTEL_SDK_DISABLED) return null;
  const cfg = parseEnv(telemetryEnvSchema(opts.serviceNames), env);

  // The batch processor reports a full queue only through diag: count it.
  diag.setLogger(
    {
      error: (msg: string) => console.error(JSON.stringify({ level: 50, msg: `otel: ${msg}` })),
      warn: (msg: string) => {
        const dropped = /Dropped (\d+) spans/.exec(msg);
        if (dropped) telemetryStats.queueDroppedSpans += Number(dropped[1]);
      },
      info: () => undefined,
      debug: () => undefined,
      verbose: () => undefined,
    },
    DiagLogLevel.WARN,
  );

  // mTLS and an API key: the collector refuses anything else (docs/transport-security.md).
  const tls = mtlsClientOptions({
    ca: cfg.OTEL_EXPORTER_OTLP_CERTIFICATE,
    cert: cfg.OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE,
    key: cfg.OTEL_EXPORTER_OTLP_CLIENT_KEY,
  });
  const otlp = (signal: 'traces' | 'logs') => ({
    url: `${cfg.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/$/, '')}/v1/${signal}`,
    timeoutMillis: 10_000,
    headers: { Authorization: `Bearer ${cfg.OTEL_EXPORTER_OTLP_TOKEN}` },
    httpAgentOptions: { ...tls, keepAlive: true },
  });
  const exporter = new CountingExporter(new OTLPTraceExporter(otlp('traces')));
  // pino's records, sent by its instrumentation (below) with the trace context they were written in.
  const logRecordProcessors = cfg.OTEL_LOGS_OTLP
    ? [new BatchLogRecordProcessor({ exporter: new CountingLogExporter(new OTLPLogExporter(otlp('logs'))), maxQueueSize: 8192, maxExportBatchSize: 512, scheduledDelayMillis: 1000 })]
    : [];
  const trusted = (req: IncomingMessage) => hasBearer(req.headers, cfg.INTERNAL_API_TOKEN);

  const resource = resourceFromAttributes({
    'service.name': cfg.OTEL_SERVICE_NAME,
    'service.namespace': 'orderscope',
    'service.version': cfg.OTEL_SERVICE_VERSION,
    'deployment.environment.name': cfg.DEPLOYMENT_ENVIRONMENT,
  });
  const tracerProvider = new TracerProvider({
    resource,
    spanProcessors: [
      new BaggageSpanProcessor(opts.baggageAttributes),
      new BatchSpanProcessor({ exporter, maxQueueSize: 4096, maxExportBatchSize: 512, scheduledDelayMillis: 1000 }),
    ],
  });
  const loggerProvider = logRecordProcessors.length > 0 ? new LoggerProvider({ resource, processors: logRecordProcessors }) : undefined;

  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }));
  trace.setGlobalTracerProvider(tracerProvider);
  if (loggerProvider) logs.setGlobalLoggerProvider(loggerProvider);
  registerInstrumentations({
    instrumentations: [
      new HttpInstrumentation({
        // Requests from outside are traced by publicRequestSpan, which never trusts their
        // traceparent; only the services' own calls (internal token) continue the caller's trace.
        // A trusted call without a trace context (the carrier, the simulator's operators) is
        // traced like a public one too: it continues the order's stored trace.
        ignoreIncomingRequestHook: (req) =>
          (req.url ?? '').startsWith('/health') || !trusted(req) || req.headers.traceparent === undefined,
        // Outgoing calls are traced by ServiceClient (one span per attempt); no HTTP library spans.
        ignoreOutgoingRequestHook: () => true,
      }),
      // No Express instrumentation: its layer spans timed what the request's span already does,
      // and wrapping every layer cost CPU even with all of them ignored. The route that matched
      // names the HTTP server span (http.route) through matchedRouteMiddleware.
      // Log lines get trace_id and span_id on stdout, and each record is also sent over OTLP
      // (every field but msg/level/time becomes an attribute: order_id among them).
      new PinoInstrumentation({ disableLogSending: !cfg.OTEL_LOGS_OTLP }),
      // Never record statement parameters: they carry customer data. No span for taking a pooled
      // connection (one per query, ~a fifth of an order's spans): a slow pool shows in the query's span.
      new PgInstrumentation({ requireParentSpan: true, enhancedDatabaseReporting: false, ignoreConnectSpans: true }),
    ],
  });
  telemetryStats.enabled = true;
  return {
    async shutdown() {
      await Promise.all([tracerProvider.shutdown(), loggerProvider?.shutdown()]);
    },
  };
}
