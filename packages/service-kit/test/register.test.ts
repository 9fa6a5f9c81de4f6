import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';

/**
 * `node --import @orderscope/service-kit/telemetry/register`: the SDK must start before the
 * service's libraries load (a library loaded first is never instrumented), and must continue the
 * trace of a caller that shows the internal token, and only of such a caller.
 */
const FIXTURE = fileURLToPath(new URL('../../test/fixtures/echo-trace.mjs', import.meta.url));
const TOKEN = 'test-internal-token-0123456789';
const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const TRACEPARENT = `00-${TRACE_ID}-00f067aa0ba902b7-01`;

describe('the SDK loaded by telemetry/register', () => {
  let child: ChildProcess;
  let base: string;
  const dir = mkdtempSync(join(tmpdir(), 'orderscope-register-'));

  before(async () => {
    // Files the exporter reads at start; the collector it points at does not exist (spans are lost, counted).
    for (const f of ['ca.crt', 'client.crt', 'client.key']) writeFileSync(join(dir, f), '');
    child = spawn(process.execPath, ['--import', '@orderscope/service-kit/telemetry/register', FIXTURE], {
      cwd: fileURLToPath(new URL('../..', import.meta.url)),
      env: {
        PATH: process.env.PATH ?? '',
        OTEL_SERVICE_NAME: 'shop',
        OTEL_EXPORTER_OTLP_ENDPOINT: 'https://127.0.0.1:9',
        OTEL_EXPORTER_OTLP_CERTIFICATE: join(dir, 'ca.crt'),
        OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE: join(dir, 'client.crt'),
        OTEL_EXPORTER_OTLP_CLIENT_KEY: join(dir, 'client.key'),
        OTEL_EXPORTER_OTLP_TOKEN: 'test-otlp-token-0123456789',
        INTERNAL_API_TOKEN: TOKEN,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    const port = await new Promise<number>((resolve, reject) => {
      child.stdout!.once('data', (d) => resolve(JSON.parse(String(d)).port));
      child.once('exit', (code) => reject(new Error(`the fixture exited (${code}): ${stderr}`)));
    });
    base = `http://127.0.0.1:${port}`;
  });
  after(() => {
    child?.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  });

  const traceOf = async (headers: Record<string, string>) => (await fetch(`${base}/internal/x`, { headers })).text();

  it('continues the trace of a caller with the internal token', async () => {
    assert.equal(await traceOf({ authorization: `Bearer ${TOKEN}`, traceparent: TRACEPARENT }), TRACE_ID);
  });

  it('does not trust anyone else\'s traceparent', async () => {
    assert.equal(await traceOf({ traceparent: TRACEPARENT }), 'none');
    assert.equal(await traceOf({ authorization: 'Bearer wrong-token-0123456789', traceparent: TRACEPARENT }), 'none');
  });
});
