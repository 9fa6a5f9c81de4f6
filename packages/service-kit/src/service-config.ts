import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { envTypes, parseEnv, parseProbeTargets, type DbConfig, type Env, type FaultSettings, type ProbeTarget, type TlsFiles } from '@orderscope/platform';
import { DEMO_TIME_SCALE, SERVICES, allowedWaitsMs, type OpenStatus, type ServiceName } from '@orderscope/orders';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** The PEM files of the `/metrics` server, what each must hold, and what it is for. */
const METRICS_TLS_FILES = {
  TLS_CA_FILE: { block: 'CERTIFICATE', what: 'the CA certificate that issued the scraper\'s client certificate' },
  TLS_CERT_FILE: { block: 'CERTIFICATE', what: 'this service\'s server certificate' },
  TLS_KEY_FILE: { block: 'PRIVATE KEY', what: 'the private key of TLS_CERT_FILE' },
} as const;
type MetricsTlsVariable = keyof typeof METRICS_TLS_FILES;

/** A path to a readable PEM file holding a `block` (e.g. CERTIFICATE); absent is fine here. */
const pemFile = (block: string) =>
  z
    .string()
    .min(1)
    .superRefine((path, ctx) => {
      let text: string;
      try {
        text = readFileSync(path, 'utf8');
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: `cannot read ${path}: ${(err as Error).message}` });
        return;
      }
      if (!new RegExp(`-----BEGIN [A-Z ]*${block}-----`).test(text)) {
        ctx.addIssue({ code: 'custom', message: `${path} holds no PEM ${block}` });
      }
    })
    .optional();

function serviceEnvSchema(name: ServiceName) {
  const self = SERVICES[name];
  const url = (s: ServiceName) => envTypes.url(`http://127.0.0.1:${SERVICES[s].port}`);
  const schema = z.object({
    HOST: z.string().min(1).default('127.0.0.1'),
    PORT: envTypes.port(self.port),
    LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
    DEPLOYMENT_ENVIRONMENT: z.string().min(1).default('local'),

    DB_HOST: z.string().min(1).default('127.0.0.1'),
    DB_PORT: envTypes.port(5432),
    DB_NAME: z.string().min(1).default('orderscope'),
    DB_USER: z.string().min(1).default(self.dbSchema),
    DB_PASSWORD: z.string().min(1, 'is required (or DB_PASSWORD_FILE)'),
    DB_SCHEMA: z.string().regex(/^[a-z_][a-z0-9_]*$/).default(self.dbSchema),
    DB_POOL_MAX: envTypes.int(10, 1),
    DB_STATEMENT_TIMEOUT_MS: envTypes.int(5000, 1),

    INTERNAL_API_TOKEN: envTypes.secret(),
    ADMIN_TOKEN: envTypes.secret(),
    /** Key of the customer-id pseudonyms on spans (HMAC-SHA256). */
    USER_ID_HMAC_KEY: envTypes.secret(),

    SHOP_URL: url('shop'),
    MES_API_URL: url('mes-api'),
    CRM_URL: url('crm'),
    MES_URL: url('mes'),
    HTTP_TIMEOUT_MS: envTypes.int(2000, 1),
    HTTP_RETRIES: envTypes.int(3),
    HTTP_BACKOFF_MS: envTypes.int(100),
    /**
     * The API server's patience with a client: all its headers within SERVER_HEADERS_TIMEOUT_MS,
     * the whole request (an upload too) within SERVER_REQUEST_TIMEOUT_MS; else 408 and the
     * connection closed (a slow-loris client holds no connection for long).
     */
    SERVER_HEADERS_TIMEOUT_MS: envTypes.int(10_000, 100),
    SERVER_REQUEST_TIMEOUT_MS: envTypes.int(60_000, 100),

    UPLOAD_DIR: z.string().min(1).default(`/tmp/orderscope-uploads/${name}`),
    UPLOAD_MAX_BYTES: envTypes.int(10 * 1024 * 1024, 1),

    /**
     * The business clock's pace (the simulator's SIM_TIME_SCALE): each status's allowed time
     * (ALLOWED_MINUTES) lasts minutes × 60 / scale seconds; an order waiting longer is stuck.
     */
    ORDER_TIME_SCALE: z.coerce.number().positive().max(1_000_000).default(DEMO_TIME_SCALE),
    /** Nothing is stuck sooner than this: retries and restarts take real seconds at any pace. */
    STUCK_MIN_S: envTypes.int(60, 0),
    STUCK_SCAN_INTERVAL_S: envTypes.int(15, 1),
    /** Where people open Jaeger: the registry's answers link each order to its trace there. */
    JAEGER_UI_URL: envTypes.url('https://localhost:16686'),
    /**
     * The stack's other TLS servers whose certificates this service watches (peer=host:port,…;
     * the CRM's, natively and in compose), with its OTLP client certificate.
     */
    TLS_PROBE_TARGETS: z
      .string()
      .default('')
      .transform((spec, ctx) => {
        try {
          return parseProbeTargets(spec);
        } catch (err) {
          ctx.addIssue({ code: 'custom', message: (err as Error).message });
          return z.NEVER;
        }
      }),
    /** The bearer Alertmanager shows when it posts alerts to the CRM's incidents (CRM only; unset: refused). */
    ALERTS_WEBHOOK_TOKEN: envTypes.secret().optional(),

    /**
     * Browser telemetry (the shop's storefront, docs/browser-monitoring.md): the origins whose pages
     * may post spans, how big and how often, and where the shop relays them — the collector's
     * untrusted browser port, with the shop's client certificate (OTEL_EXPORTER_OTLP_*) and the
     * relay's own key (RUM_OTLP_TOKEN_FILE; unset: the relay answers 503).
     */
    RUM_ALLOWED_ORIGINS: z.string().default(`http://localhost:${self.port},http://127.0.0.1:${self.port}`)
      .transform((v) => v.split(',').map((o) => o.trim()).filter(Boolean)),
    RUM_MAX_BYTES: envTypes.int(64 * 1024, 1),
    RUM_REQUESTS_PER_MINUTE: envTypes.int(60, 1),
    RUM_OTLP_URL: envTypes.url('https://127.0.0.1:4320'),
    RUM_OTLP_TOKEN: envTypes.secret().optional(),
    OTEL_EXPORTER_OTLP_CERTIFICATE: z.string().min(1).optional(),
    OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE: z.string().min(1).optional(),
    OTEL_EXPORTER_OTLP_CLIENT_KEY: z.string().min(1).optional(),

    FAULT_ERROR_RATE: envTypes.rate(),
    FAULT_LATENCY_MS: envTypes.int(0),
    FAULT_HANG_RATE: envTypes.rate(),
    FAULT_DB_LATENCY_MS: envTypes.int(0),
    FAULT_DROP_RATE: envTypes.rate(),

    /** Prometheus `/metrics` over HTTPS with client certificates, on its own port; 0 = no metrics server. */
    METRICS_PORT: envTypes.port(self.metricsPort),
    /** Default: HOST, where the API listens. */
    METRICS_HOST: z.string().min(1).optional(),
    TLS_CA_FILE: pemFile(METRICS_TLS_FILES.TLS_CA_FILE.block),
    TLS_CERT_FILE: pemFile(METRICS_TLS_FILES.TLS_CERT_FILE.block),
    TLS_KEY_FILE: pemFile(METRICS_TLS_FILES.TLS_KEY_FILE.block),
    /** The API key Prometheus must show on /metrics (METRICS_TOKEN_FILE: prometheus_scrape_token). */
    METRICS_TOKEN: envTypes.secret().optional(),
  });
  // Cross-field rules run even when other variables are invalid (`when`), so every problem is named at once.
  const always = { when: () => true };
  let checked = schema.refine((e) => e.METRICS_PORT === 0 || e.METRICS_PORT !== e.PORT, {
    ...always,
    path: ['METRICS_PORT'],
    message: 'must differ from PORT (/metrics has its own port)',
  });
  for (const [name, { what }] of Object.entries(METRICS_TLS_FILES) as [MetricsTlsVariable, (typeof METRICS_TLS_FILES)[MetricsTlsVariable]][]) {
    checked = checked.refine((e) => e.METRICS_PORT === 0 || Boolean(e[name]), {
      ...always,
      path: [name],
      message: `is required while METRICS_PORT is not 0: path of ${what} (PEM) for the HTTPS /metrics server; METRICS_PORT=0 disables it`,
    });
  }
  checked = checked.refine((e) => e.SERVER_HEADERS_TIMEOUT_MS <= e.SERVER_REQUEST_TIMEOUT_MS, {
    ...always,
    path: ['SERVER_HEADERS_TIMEOUT_MS'],
    message: 'must not exceed SERVER_REQUEST_TIMEOUT_MS (the headers are part of the request)',
  });
  checked = checked.refine((e) => e.METRICS_PORT === 0 || Boolean(e.METRICS_TOKEN), {
    ...always,
    path: ['METRICS_TOKEN'],
    message: 'is required while METRICS_PORT is not 0: the API key Prometheus shows on /metrics (set METRICS_TOKEN_FILE); METRICS_PORT=0 disables it',
  });
  return checked;
}

export interface ServiceConfig {
  readonly service: ServiceName;
  readonly host: string;
  readonly port: number;
  readonly logLevel: (typeof LOG_LEVELS)[number];
  readonly environment: string;
  readonly db: DbConfig;
  readonly internalApiToken: string;
  readonly adminToken: string;
  readonly userIdHmacKey: string;
  readonly urls: Readonly<Record<ServiceName, string>>;
  readonly http: { readonly timeoutMs: number; readonly retries: number; readonly backoffMs: number };
  /** How long the API server waits for a request's headers, and for the whole request. */
  readonly server: { readonly headersTimeoutMs: number; readonly requestTimeoutMs: number };
  readonly uploads: { readonly dir: string; readonly maxBytes: number };
  /** The wall time each open status may last (CRM: stuck beyond it), and how often to look. */
  readonly stuck: { readonly allowedMs: Readonly<Record<OpenStatus, number>>; readonly scanIntervalMs: number };
  /** The Jaeger UI's base URL, for links to an order's trace. */
  readonly jaegerUiUrl: string;
  /** Alertmanager's bearer at the CRM's incidents webhook; undefined: the webhook refuses every call. */
  readonly alertsWebhookToken: string | undefined;
  /** TLS servers of the stack whose certificates this service probes (TLS_PROBE_TARGETS). */
  readonly tlsProbeTargets: readonly ProbeTarget[];
  readonly faults: FaultSettings;
  /** The browser telemetry relay (shop). */
  readonly rum: RumConfig;
  /** The Prometheus `/metrics` server (HTTPS, client certificate from our CA); null = not started. */
  readonly metrics: MetricsServerConfig | null;
}

export interface RumConfig {
  readonly allowedOrigins: readonly string[];
  readonly maxBytes: number;
  readonly requestsPerMinute: number;
  /** Where spans go, with what: null while no key or no client certificate is set. */
  readonly relay: { readonly url: string; readonly token: string; readonly tls: Readonly<TlsFiles> } | null;
}

export interface MetricsServerConfig {
  readonly port: number;
  readonly host: string;
  /** `ca`: the CA client certificates must come from; `cert`/`key`: the server's own. */
  readonly tls: Readonly<TlsFiles>;
  /** The scrape API key (Authorization: Bearer). */
  readonly token: string;
}


/** Reads and validates a service's configuration once; tests pass their own env. */
export function loadServiceConfig(service: ServiceName, env: Env = process.env): ServiceConfig {
  const e = parseEnv(serviceEnvSchema(service), env);
  return {
    service,
    host: e.HOST,
    port: e.PORT,
    logLevel: e.LOG_LEVEL,
    environment: e.DEPLOYMENT_ENVIRONMENT,
    db: {
      host: e.DB_HOST,
      port: e.DB_PORT,
      database: e.DB_NAME,
      user: e.DB_USER,
      password: e.DB_PASSWORD,
      schema: e.DB_SCHEMA,
      poolMax: e.DB_POOL_MAX,
      statementTimeoutMs: e.DB_STATEMENT_TIMEOUT_MS,
    },
    internalApiToken: e.INTERNAL_API_TOKEN,
    adminToken: e.ADMIN_TOKEN,
    userIdHmacKey: e.USER_ID_HMAC_KEY,
    urls: { shop: e.SHOP_URL, 'mes-api': e.MES_API_URL, crm: e.CRM_URL, mes: e.MES_URL },
    http: { timeoutMs: e.HTTP_TIMEOUT_MS, retries: e.HTTP_RETRIES, backoffMs: e.HTTP_BACKOFF_MS },
    server: { headersTimeoutMs: e.SERVER_HEADERS_TIMEOUT_MS, requestTimeoutMs: e.SERVER_REQUEST_TIMEOUT_MS },
    uploads: { dir: e.UPLOAD_DIR, maxBytes: e.UPLOAD_MAX_BYTES },
    stuck: {
      allowedMs: allowedWaitsMs({ timeScale: e.ORDER_TIME_SCALE, floorMs: e.STUCK_MIN_S * 1000 }),
      scanIntervalMs: e.STUCK_SCAN_INTERVAL_S * 1000,
    },
    jaegerUiUrl: e.JAEGER_UI_URL.replace(/\/+$/, ''),
    alertsWebhookToken: e.ALERTS_WEBHOOK_TOKEN,
    tlsProbeTargets: e.TLS_PROBE_TARGETS,
    rum: {
      allowedOrigins: e.RUM_ALLOWED_ORIGINS,
      maxBytes: e.RUM_MAX_BYTES,
      requestsPerMinute: e.RUM_REQUESTS_PER_MINUTE,
      relay:
        e.RUM_OTLP_TOKEN && e.OTEL_EXPORTER_OTLP_CERTIFICATE && e.OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE && e.OTEL_EXPORTER_OTLP_CLIENT_KEY
          ? {
              url: `${e.RUM_OTLP_URL.replace(/\/+$/, '')}/v1/traces`,
              token: e.RUM_OTLP_TOKEN,
              tls: { ca: e.OTEL_EXPORTER_OTLP_CERTIFICATE, cert: e.OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE, key: e.OTEL_EXPORTER_OTLP_CLIENT_KEY },
            }
          : null,
    },
    faults: {
      errorRate: e.FAULT_ERROR_RATE,
      latencyMs: e.FAULT_LATENCY_MS,
      hangRate: e.FAULT_HANG_RATE,
      dbLatencyMs: e.FAULT_DB_LATENCY_MS,
      dropRate: e.FAULT_DROP_RATE,
      failNext: 0,
    },
    metrics:
      e.METRICS_PORT === 0
        ? null
        : {
            port: e.METRICS_PORT,
            host: e.METRICS_HOST ?? e.HOST,
            // Present: the schema requires them while METRICS_PORT is not 0.
            tls: { ca: e.TLS_CA_FILE!, cert: e.TLS_CERT_FILE!, key: e.TLS_KEY_FILE! },
            token: e.METRICS_TOKEN!,
          },
  };
}
