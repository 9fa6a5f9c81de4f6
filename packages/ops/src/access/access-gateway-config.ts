import { z } from 'zod';
import { envTypes, parseEnv, type Env } from '@orderscope/platform';
import { accessLogFile, splitComponents } from './access-components.js';

const NAME = /^[a-z][a-z0-9-]*$/;
const HOST_PORT = /^[^\s/=,]+:\d{1,5}$/;

const component = z.object({
  name: z.string().regex(NAME, 'must be a component name (a-z, 0-9, -; "name=listen=upstream")'),
  listen: z
    .string()
    .refine((l) => (l.startsWith('/') && !/\s/.test(l)) || (HOST_PORT.test(l) && Number(l.split(':').at(-1)) <= 65535), {
      message: 'must be a unix socket path (/…) or host:port ("name=listen=upstream")',
    }),
  upstream: z.url({ message: 'must be the component’s URL ("name=listen=upstream")' }),
});

/**
 * The environment of `orderscope-access-gateway`, read once: one process serves every component
 * in ACCESS_COMPONENTS (docs/access-control.md), each on its own listener, towards its own
 * upstream, into its own access log; the settings below them apply to every one.
 */
const schema = z
  .object({
    /** `name=listen=upstream,…` (access-components.ts). */
    ACCESS_COMPONENTS: z
      .string({ message: 'required: name=listen=upstream, one entry per component, comma-separated' })
      .transform(splitComponents)
      .pipe(
        z
          .array(component)
          .min(1, 'name at least one component: name=listen=upstream, comma-separated')
          .superRefine((list, ctx) => {
            for (const key of ['name', 'listen'] as const) {
              const seen = new Map<string, number>();
              list.forEach((c, i) => {
                const first = seen.get(c[key]);
                if (first === undefined) seen.set(c[key], i);
                else ctx.addIssue({ code: 'custom', path: [i, key], message: `${c[key]} is entry ${first}'s ${key} too: each component has its own` });
              });
            }
          }),
      ),
    /** Each component's access log is <dir>/<component>-access.<n>.jsonl: JSON lines, rolled by size. */
    ACCESS_LOG_DIR: z.string().min(1),
    ACCESS_LOG_MAX_SIZE: z.string().regex(/^\d+[kmg]$/).default('10m'),
    ACCESS_LOG_KEEP: z.coerce.number().int().min(1).max(1000).default(10),
    TLS_CA_FILE: z.string().min(1),
    TLS_CERT_FILE: z.string().min(1),
    TLS_KEY_FILE: z.string().min(1),
    LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
    /** HTTPS wanting a client certificate of TLS_CA_FILE, with this server certificate (the log gateway). */
    ACCESS_SERVER_CERT_FILE: z.string().min(1).optional(),
    ACCESS_SERVER_KEY_FILE: z.string().min(1).optional(),
    /** Basic auth toward the upstream: VictoriaLogs' user, and its password (ACCESS_UPSTREAM_PASSWORD_FILE). */
    ACCESS_UPSTREAM_USER: z.string().min(1).optional(),
    ACCESS_UPSTREAM_PASSWORD: envTypes.secret().optional(),
    /** The records also go to the log store, over OTLP to the collector's internal port with this key. */
    ACCESS_OTLP_ENDPOINT: z.url().refine((u) => u.startsWith('https://'), 'must be https://').optional(),
    ACCESS_OTLP_TOKEN: envTypes.secret().optional(),
  })
  .refine((e) => !e.ACCESS_SERVER_CERT_FILE === !e.ACCESS_SERVER_KEY_FILE, {
    message: 'set both ACCESS_SERVER_CERT_FILE and ACCESS_SERVER_KEY_FILE, or neither',
    path: ['ACCESS_SERVER_KEY_FILE'],
  })
  .refine((e) => !e.ACCESS_UPSTREAM_USER === !e.ACCESS_UPSTREAM_PASSWORD, {
    message: 'set both ACCESS_UPSTREAM_USER and ACCESS_UPSTREAM_PASSWORD(_FILE), or neither',
    path: ['ACCESS_UPSTREAM_PASSWORD'],
  })
  .refine((e) => !e.ACCESS_OTLP_ENDPOINT === !e.ACCESS_OTLP_TOKEN, {
    message: 'set both ACCESS_OTLP_ENDPOINT and ACCESS_OTLP_TOKEN(_FILE), or neither',
    path: ['ACCESS_OTLP_TOKEN'],
  });

export interface GatewayComponent {
  readonly name: string;
  readonly listen: string;
  readonly upstream: string;
  readonly logFile: string;
}

export interface AccessGatewayConfig {
  readonly components: readonly GatewayComponent[];
  readonly log: { readonly maxSize: string; readonly keep: number };
  readonly tls: { readonly ca: string; readonly cert: string; readonly key: string };
  readonly logLevel: 'debug' | 'info' | 'warn' | 'error';
  readonly serverTls?: { readonly cert: string; readonly key: string };
  readonly upstreamAuthorization?: string;
  readonly otlp?: { readonly endpoint: string; readonly token: string };
}

/** The gateway's configuration from the environment; a ConfigError names every problem at once. */
export function accessGatewayConfig(env: Env): AccessGatewayConfig {
  const e = parseEnv(schema, env);
  return {
    components: e.ACCESS_COMPONENTS.map((c) => ({ ...c, logFile: accessLogFile(e.ACCESS_LOG_DIR, c.name) })),
    log: { maxSize: e.ACCESS_LOG_MAX_SIZE, keep: e.ACCESS_LOG_KEEP },
    tls: { ca: e.TLS_CA_FILE, cert: e.TLS_CERT_FILE, key: e.TLS_KEY_FILE },
    logLevel: e.LOG_LEVEL,
    ...(e.ACCESS_SERVER_CERT_FILE && e.ACCESS_SERVER_KEY_FILE
      ? { serverTls: { cert: e.ACCESS_SERVER_CERT_FILE, key: e.ACCESS_SERVER_KEY_FILE } }
      : {}),
    ...(e.ACCESS_UPSTREAM_USER && e.ACCESS_UPSTREAM_PASSWORD
      ? { upstreamAuthorization: `Basic ${Buffer.from(`${e.ACCESS_UPSTREAM_USER}:${e.ACCESS_UPSTREAM_PASSWORD}`).toString('base64')}` }
      : {}),
    ...(e.ACCESS_OTLP_ENDPOINT && e.ACCESS_OTLP_TOKEN ? { otlp: { endpoint: e.ACCESS_OTLP_ENDPOINT, token: e.ACCESS_OTLP_TOKEN } } : {}),
  };
}
