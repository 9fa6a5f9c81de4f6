import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { componentFiles, ensureCertificates, ensureSecrets } from '@orderscope/ops';
import { Agent, fetch } from 'undici';
import { root } from '../support/stack.js';

/**
 * B2's collectors, beside the running stack and apart from it: each on its own loopback ports,
 * with its own CA, secrets and storage under a temporary directory (the stack's are never read).
 * All three are the binary the stack runs (scripts/build-otelcol.sh).
 */

/** Ports far from the stack's (4317-4320, 8888, 8889, 13133, 14317…) and below Linux's ephemeral range. */
export const PORTS = {
  sink: { grpc: 24301, http: 24302, metrics: 24303, health: 24304 },
  plain: { grpc: 24311, metrics: 24313, health: 24314 },
  full: { grpc: 24321, http: 24322, internal: 24323, browser: 24324, health: 24325, metrics: 24326, spanMetrics: 24327 },
} as const;

/** Fails at once when one of B2's ports is taken (by a run left behind, or anything else). */
export async function assertPortsFree(): Promise<void> {
  await assertFree(Object.values(PORTS).flatMap((p) => Object.values(p)));
}

/** Fails at once when one of `ports` on 127.0.0.1 is taken. */
export async function assertFree(ports: number[]): Promise<void> {
  for (const port of ports) {
    await new Promise<void>((ok, fail) => {
      const s = createServer().once('error', () => fail(new Error(`port 127.0.0.1:${port} is taken`)));
      s.listen(port, '127.0.0.1', () => s.close(() => ok()));
    });
  }
}

export interface Workspace {
  readonly dir: string;
  readonly certs: string;
  readonly secrets: string;
  readonly bin: string;
  readonly telemetrygen: string;
}

/** The binaries (built or found by their scripts) and a CA and secrets of B2's own under `dir`. */
export async function workspace(dir: string): Promise<Workspace> {
  const last = (script: string) => execFileSync('bash', [resolve(root, script)], { encoding: 'utf8' }).trim().split('\n').at(-1)!;
  const certs = join(dir, 'certs');
  const secrets = join(dir, 'secrets');
  await ensureCertificates(certs, { components: ['otel-collector', 'shop', 'prometheus'] });
  ensureSecrets(secrets);
  return { dir, certs, secrets, bin: last('scripts/build-otelcol.sh'), telemetrygen: last('scripts/build-telemetrygen.sh') };
}

const mtlsServer = (ws: Workspace) => {
  const f = componentFiles(ws.certs, 'otel-collector');
  return { cert_file: f.serverCert, key_file: f.serverKey, client_ca_file: f.ca, min_version: '1.2' };
};
const mtlsClient = (ws: Workspace) => {
  const f = componentFiles(ws.certs, 'otel-collector');
  return { ca_file: f.ca, cert_file: f.clientCert, key_file: f.clientKey, min_version: '1.2' };
};
/** Own metrics pulled in plain HTTP on loopback: read live (the full config pushes its own every 5 s). */
const pullMetrics = (port: number) => ({
  logs: { level: 'warn' },
  metrics: { level: 'detailed', readers: [{ pull: { exporter: { prometheus: { host: '127.0.0.1', port } } } }] },
});

/**
 * The sink both export to, standing in for Jaeger (OTLP gRPC) and the log store (OTLP HTTP on the
 * log gateway's path): TLS, and a debug exporter that logs nothing below warn — the cheapest
 * exporter in this build (it has no nop exporter).
 */
export function sinkConfig(ws: Workspace): object {
  const p = PORTS.sink;
  return {
    extensions: { health_check: { endpoint: `127.0.0.1:${p.health}` } },
    receivers: {
      otlp: {
        protocols: {
          grpc: { endpoint: `127.0.0.1:${p.grpc}`, max_recv_msg_size_mib: 16, tls: mtlsServer(ws) },
          http: { endpoint: `127.0.0.1:${p.http}`, logs_url_path: '/insert/opentelemetry/v1/logs', tls: mtlsServer(ws) },
        },
      },
    },
    exporters: { debug: { verbosity: 'basic' } },
    service: {
      extensions: ['health_check'],
      pipelines: { traces: { receivers: ['otlp'], exporters: ['debug'] }, logs: { receivers: ['otlp'], exporters: ['debug'] } },
      telemetry: pullMetrics(p.metrics),
    },
  };
}

/**
 * Plain: OTLP in, OTLP out, with the full config's transport security on both sides (mTLS and an
 * API key in; mTLS and the Jaeger login out) and its batch settings, nothing else.
 */
export function plainConfig(ws: Workspace): object {
  const p = PORTS.plain;
  return {
    extensions: {
      health_check: { endpoint: `127.0.0.1:${p.health}` },
      'bearertokenauth/otlp': { filename: join(ws.secrets, 'otlp_api_keys') },
      'basicauth/jaeger': { client_auth: { username: 'otel-collector', password_file: join(ws.secrets, 'jaeger_otlp_password') } },
    },
    receivers: {
      otlp: {
        protocols: {
          grpc: {
            endpoint: `127.0.0.1:${p.grpc}`,
            max_recv_msg_size_mib: 4,
            max_concurrent_streams: 32,
            tls: mtlsServer(ws),
            auth: { authenticator: 'bearertokenauth/otlp' },
          },
        },
      },
    },
    processors: { batch: { timeout: '1s', send_batch_size: 1024, send_batch_max_size: 2048 } },
    exporters: {
      'otlp_grpc/sink': { endpoint: `127.0.0.1:${PORTS.sink.grpc}`, tls: mtlsClient(ws), auth: { authenticator: 'basicauth/jaeger' } },
    },
    service: {
      extensions: ['health_check', 'bearertokenauth/otlp', 'basicauth/jaeger'],
      pipelines: { traces: { receivers: ['otlp'], processors: ['batch'], exporters: ['otlp_grpc/sink'] } },
      telemetry: pullMetrics(p.metrics),
    },
  };
}

/** The ports a collector running the stack's collector/config.yaml listens on. */
export interface StackCollectorPorts { grpc: number; http: number; internal: number; browser: number; health: number; metrics: number; spanMetrics: number }

/**
 * The environment that moves the stack's own collector/config.yaml to other loopback ports, a CA
 * and secrets of its own, and a sink standing in for Jaeger (OTLP gRPC) and the log store (HTTPS).
 */
export function stackCollectorEnv(ws: Workspace, p: StackCollectorPorts, sink: { grpc: number; http: number }, storageDir: string): Record<string, string> {
  return {
    OTELCOL_LISTEN_HOST: '127.0.0.1',
    OTELCOL_OTLP_GRPC_PORT: String(p.grpc),
    OTELCOL_OTLP_HTTP_PORT: String(p.http),
    OTELCOL_INTERNAL_PORT: String(p.internal),
    OTELCOL_BROWSER_PORT: String(p.browser),
    OTELCOL_HEALTH_PORT: String(p.health),
    OTELCOL_METRICS_PORT: String(p.metrics),
    OTELCOL_SPAN_METRICS_PORT: String(p.spanMetrics),
    JAEGER_OTLP_ENDPOINT: `127.0.0.1:${sink.grpc}`,
    LOG_STORE_URL: `https://127.0.0.1:${sink.http}`,
    OTELCOL_STORAGE_DIR: storageDir,
    CERTS_DIR: componentFiles(ws.certs, 'otel-collector').dir,
    SECRETS_DIR: ws.secrets,
  };
}

/** The full pipeline: the stack's own collector/config.yaml, moved to B2's ports, CA, secrets and sink. */
export function fullEnv(ws: Workspace, storageDir: string, decisionWait: string): Record<string, string> {
  return { ...stackCollectorEnv(ws, PORTS.full, PORTS.sink, storageDir), OTELCOL_DECISION_WAIT: decisionWait };
}

export interface Collector {
  readonly name: string;
  readonly pid: number;
  /** Resident set (VmRSS), MiB. */
  rssMiB(): number;
  /** CPU time used so far (user + system), s. */
  cpuSeconds(): number;
  /** Its own metrics, Prometheus text. */
  metrics(): Promise<string>;
  stop(): Promise<void>;
}

const TICK = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());

/** A process's CPU time (utime + stime from /proc/PID/stat), s. */
export function cpuSecondsOf(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(f[11]) + Number(f[12])) / TICK;
}

export function rssMiBOf(pid: number): number {
  const kb = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return kb ? Number(kb) / 1024 : 0;
}

/** Ends a process we started, by its PID: SIGTERM, SIGKILL after `graceMs`. */
export async function stopProcess(child: ChildProcess, graceMs = 15_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((ok) => child.once('exit', ok));
  child.kill('SIGTERM');
  if (!(await Promise.race([exited.then(() => true), sleep(graceMs).then(() => false)]))) {
    child.kill('SIGKILL');
    await exited;
  }
}

/**
 * Starts one collector (on `cpus` when given: taskset) and waits for its health check. Its output
 * goes to `name`.log in the workspace.
 */
export async function startCollector(
  ws: Workspace,
  name: string,
  opts: { config: string | object; env?: Record<string, string>; health: number; metrics: () => Promise<string>; cpus?: string; args?: string[] },
): Promise<Collector> {
  let configPath = opts.config;
  if (typeof configPath !== 'string') {
    configPath = join(ws.dir, `${name}.yaml`);
    writeFileSync(configPath, JSON.stringify(opts.config, null, 2)); // JSON is YAML
  }
  const log = join(ws.dir, `${name}.log`);
  const out = openSync(log, 'a');
  const argv = [ws.bin, '--config', `file:${configPath}`, ...(opts.args ?? [])];
  const child = spawn(opts.cpus ? 'taskset' : argv[0]!, opts.cpus ? ['-c', opts.cpus, ...argv] : argv.slice(1), {
    cwd: root,
    env: { ...process.env, ...opts.env },
    stdio: ['ignore', out, out],
  });
  const tail = () => readFileSync(log, 'utf8').split('\n').slice(-15).join('\n');
  for (const until = Date.now() + 60_000; ; await sleep(250)) {
    if (child.exitCode !== null) throw new Error(`B2: collector ${name} exited (${child.exitCode}):\n${tail()}`);
    if (Date.now() > until) {
      await stopProcess(child);
      throw new Error(`B2: collector ${name} not healthy in 60 s:\n${tail()}`);
    }
    const ok = await fetch(`http://127.0.0.1:${opts.health}/`, { signal: AbortSignal.timeout(1000) }).then((r) => r.ok, () => false);
    if (ok) break;
  }
  const pid = child.pid!;
  return { name, pid, rssMiB: () => rssMiBOf(pid), cpuSeconds: () => cpuSecondsOf(pid), metrics: opts.metrics, stop: () => stopProcess(child) };
}

/** A pull endpoint in plain HTTP (sink, plain). */
export const httpMetrics = (port: number) => async () => {
  const res = await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(5000) });
  if (!res.ok) throw new Error(`B2: metrics on ${port}: ${res.status}`);
  return res.text();
};

/** The full config's own metrics endpoint: mTLS and the scrape key, as Prometheus reads it. */
export function fullMetrics(ws: Workspace): () => Promise<string> {
  const f = componentFiles(ws.certs, 'prometheus');
  const agent = new Agent({ connect: { ca: readFileSync(f.ca), cert: readFileSync(f.clientCert), key: readFileSync(f.clientKey) } });
  const token = readFileSync(join(ws.secrets, 'prometheus_scrape_token'), 'utf8').trim();
  return async () => {
    const res = await fetch(`https://127.0.0.1:${PORTS.full.metrics}/metrics`, {
      dispatcher: agent,
      headers: { authorization: `Bearer ${token}` },
      signal: AbortSignal.timeout(5000),
    });
    if (!res.ok) throw new Error(`B2: full collector's metrics: ${res.status}`);
    return res.text();
  };
}

/** A fresh directory under the workspace. */
export function subdir(ws: Workspace, name: string): string {
  const d = join(ws.dir, name);
  mkdirSync(d, { recursive: true });
  return d;
}

/** One telemetrygen run against `port`, as one of the services sends: mTLS, the shop's API key. */
export function telemetrygen(
  ws: Workspace,
  port: number,
  opts: { seconds: number; workers: number; rate: number; childSpans: number; batchSize?: number; attributes: Record<string, string | boolean | number>; status?: 'Error'; cpus?: string },
): ChildProcess {
  const f = componentFiles(ws.certs, 'shop');
  const key = readFileSync(join(ws.secrets, 'otlp_token_shop'), 'utf8').trim();
  const argv = [
    ws.telemetrygen, 'traces',
    '--otlp-endpoint', `127.0.0.1:${port}`,
    '--ca-cert', f.ca, '--mtls', '--client-cert', f.clientCert, '--client-key', f.clientKey,
    '--otlp-header', `Authorization="Bearer ${key}"`,
    '--service', 'shop',
    '--duration', `${opts.seconds}s`, '--workers', String(opts.workers), '--rate', String(opts.rate),
    '--child-spans', String(opts.childSpans),
    // The SDK's batch span processor sends 100 spans a call by default: too few to load a collector.
    '--batch-size', String(opts.batchSize ?? 1000),
    // Refusals (the memory limiter's) are part of what is measured: keep sending.
    '--allow-export-failures',
    ...(opts.status ? ['--status-code', opts.status] : []),
    ...Object.entries(opts.attributes).flatMap(([k, v]) => ['--telemetry-attributes', typeof v === 'string' ? `${k}="${v}"` : `${k}=${v}`]),
  ];
  const out = openSync(join(ws.dir, 'telemetrygen.log'), 'a');
  return spawn(opts.cpus ? 'taskset' : argv[0]!, opts.cpus ? ['-c', opts.cpus, ...argv] : argv.slice(1), { stdio: ['ignore', out, out] });
}
