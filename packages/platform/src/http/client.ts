import { context, propagation, SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import pRetry from 'p-retry';
import { CALL_ATTR as ATTR } from '../telemetry/attributes.js';
import { AppError } from '../errors.js';

/** Answers worth another attempt: the callee is overloaded, failing, or a gateway gave up. */
const RETRYABLE_STATUS = new Set([408, 429, 500, 502, 503, 504]);

/**
 * Set on a 502/504 that a service answers because its own dependency failed after its own retries.
 * Callers take it as final: retrying at every layer would multiply the attempts (a retry storm).
 */
export const RETRIES_EXHAUSTED_HEADER = 'x-orderscope-retries-exhausted';

export interface ServiceClientOptions {
  /** Who is called, for errors and logs (e.g. "crm"). */
  readonly target: string;
  readonly baseUrl: string;
  /** Budget of one attempt, including reading the answer. */
  readonly timeoutMs: number;
  /** Attempts after the first one. */
  readonly retries: number;
  /** First backoff; doubled per retry, with jitter. */
  readonly backoffMs: number;
  /** Sent as `Authorization: Bearer …`. */
  readonly token?: string;
  /** Told how every logical call ended (metrics: callMetrics). */
  readonly onCall?: (stats: CallStats, outcome: 'ok' | 'error_status' | 'failed') => void;
}

export interface CallOptions {
  readonly json?: unknown;
  /** A multipart body (file uploads); re-sent as it is on each attempt. */
  readonly form?: FormData;
  readonly headers?: Record<string, string>;
  readonly timeoutMs?: number;
  readonly retries?: number;
}

/** What one logical call took: every call knows its retries and timeouts (tracing records them). */
export interface CallStats {
  readonly target: string;
  readonly attempts: number;
  readonly retryCount: number;
  /** Attempts that ran out of their time budget. */
  readonly timedOutAttempts: number;
  readonly timeoutMs: number;
  readonly durationMs: number;
}

export interface CallResult<T> extends CallStats {
  readonly status: number;
  readonly body: T;
}

/** A call that failed after its retries: 504 when the last attempt timed out, 502 otherwise. */
export class UpstreamError extends AppError {
  constructor(
    readonly stats: CallStats & { readonly timedOut: boolean; readonly upstreamStatus?: number },
    cause: string,
  ) {
    super(
      stats.timedOut ? 504 : 502,
      stats.timedOut ? 'upstream_timeout' : 'upstream_unavailable',
      stats.timedOut
        ? `${stats.target} did not answer within ${stats.timeoutMs} ms (${stats.attempts} attempts)`
        : `${stats.target} failed after ${stats.attempts} attempts: ${cause}`,
      {
        upstream: stats.target,
        attempts: stats.attempts,
        retry_count: stats.retryCount,
        timed_out: stats.timedOut,
        timeout_ms: stats.timeoutMs,
        ...(stats.upstreamStatus ? { upstream_status: stats.upstreamStatus } : {}),
      },
    );
  }
}

class AttemptFailure extends Error {
  constructor(
    message: string,
    readonly timedOut: boolean,
    readonly status?: number,
  ) {
    super(message);
  }
}

const tracer = () => trace.getTracer('@orderscope/platform');

/** Ids out of a path, so span names stay few (span metrics group by name). */
export function pathTemplate(path: string): string {
  return path.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, ':id').split('?')[0]!;
}

/** Ends an attempt's span; the attempt that ends the call also carries the call's counts. */
function endAttempt(span: Span, outcome: { status?: number; error?: Error; timedOut?: boolean }, call?: CallStats): void {
  if (call) span.setAttributes({ [ATTR.retryCount]: call.retryCount, [ATTR.attempts]: call.attempts, [ATTR.timedOutAttempts]: call.timedOutAttempts });
  if (outcome.status !== undefined) {
    span.setAttribute('http.response.status_code', outcome.status);
    if (outcome.status >= 500) {
      span.setAttribute('error.type', String(outcome.status));
      span.setStatus({ code: SpanStatusCode.ERROR });
    }
  }
  if (outcome.error) {
    span.recordException(outcome.error);
    span.setAttribute('error.type', outcome.timedOut ? 'timeout' : outcome.error.name);
    span.setStatus({ code: SpanStatusCode.ERROR, message: outcome.error.message });
  }
  if (outcome.timedOut) span.setAttribute(ATTR.timeout, true);
  span.end();
}

function parseBody(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * HTTP client for service-to-service calls: a time budget per attempt, bounded retries with
 * exponential backoff on network errors, timeouts and retryable statuses. Only idempotent
 * endpoints are called through it, so a retry never does the work twice.
 */
export class ServiceClient {
  constructor(readonly options: ServiceClientOptions) {}

  /**
   * Any answer that is not retryable comes back as it is, 4xx included. Traced as one CLIENT span
   * per attempt (http.request.resend_count from the second one on, its time budget), each carrying
   * the trace context to the callee; the attempt that ends the call also carries the call's
   * retry.count, http.request.attempts and timeout.attempts. No span for the logical call: with no
   * retry (nearly every call) it only repeated its one attempt.
   */
  async call<T = unknown>(method: string, path: string, opts: CallOptions = {}): Promise<CallResult<T>> {
    const { target, baseUrl, backoffMs } = this.options;
    const timeoutMs = opts.timeoutMs ?? this.options.timeoutMs;
    const retries = opts.retries ?? this.options.retries;
    const url = new URL(path, baseUrl);
    const template = pathTemplate(url.pathname);
    const headers: Record<string, string> = { accept: 'application/json', ...opts.headers };
    if (this.options.token) headers.authorization = `Bearer ${this.options.token}`;
    let body: string | FormData | undefined = opts.form;
    if (opts.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(opts.json);
    }

    const started = performance.now();
    let attempts = 0;
    let timedOutAttempts = 0;
    const stats = () => ({
      target,
      attempts,
      retryCount: Math.max(0, attempts - 1),
      timedOutAttempts,
      timeoutMs,
      durationMs: Math.round(performance.now() - started),
    });

    try {
      const answer = await pRetry(
        async (attemptNumber) => {
          attempts = attemptNumber;
          const last = attemptNumber > retries;
          const attempt = tracer().startSpan(`${method} ${template}`, {
            kind: SpanKind.CLIENT,
            attributes: {
              'http.request.method': method,
              'url.full': `${url.origin}${url.pathname}`,
              'server.address': url.hostname,
              'server.port': Number(url.port) || (url.protocol === 'https:' ? 443 : 80),
              [ATTR.peerService]: target,
              [ATTR.timeoutBudgetMs]: timeoutMs,
              ...(attemptNumber > 1 ? { [ATTR.resendCount]: attemptNumber - 1 } : {}),
            },
          });
          const sent = { ...headers };
          propagation.inject(trace.setSpan(context.active(), attempt), sent);
          let response: Response;
          let text: string;
          try {
            response = await fetch(url, { method, headers: sent, body, signal: AbortSignal.timeout(timeoutMs) });
            text = await response.text();
          } catch (err) {
            const timedOut = (err as Error).name === 'TimeoutError';
            if (timedOut) timedOutAttempts += 1;
            const reason = timedOut ? `timed out after ${timeoutMs} ms` : (err as Error).message;
            endAttempt(attempt, { error: new Error(reason), timedOut }, last ? stats() : undefined);
            throw new AttemptFailure(reason, timedOut);
          }
          const retryable = RETRYABLE_STATUS.has(response.status) && !response.headers.has(RETRIES_EXHAUSTED_HEADER);
          endAttempt(attempt, { status: response.status }, last || !retryable ? stats() : undefined);
          if (retryable) throw new AttemptFailure(`answered ${response.status}`, false, response.status);
          return { status: response.status, body: parseBody(text) as T };
        },
        { retries, minTimeout: backoffMs, maxTimeout: Math.max(backoffMs * 16, backoffMs), factor: 2, randomize: true },
      );
      const done = stats();
      this.options.onCall?.(done, answer.status >= 500 ? 'error_status' : 'ok');
      return { ...answer, ...done };
    } catch (err) {
      const failure = err instanceof AttemptFailure ? err : new AttemptFailure((err as Error).message, false);
      const done = stats();
      // A 5xx the retries could not get past is an answer; no answer at all is a failure.
      this.options.onCall?.(done, failure.status ? 'error_status' : 'failed');
      throw new UpstreamError(
        { ...done, timedOut: failure.timedOut, ...(failure.status ? { upstreamStatus: failure.status } : {}) },
        failure.message,
      );
    }
  }

  /** Like `call`, but a 4xx answer becomes this service's error with the same status and code. */
  async send<T = unknown>(method: string, path: string, opts: CallOptions = {}): Promise<CallResult<T>> {
    const result = await this.call<T>(method, path, opts);
    if (result.status >= 400) {
      const body = (result.body ?? {}) as { error?: string; message?: string; details?: Record<string, unknown> };
      throw new AppError(
        result.status,
        body.error ?? 'upstream_rejected',
        `${this.options.target}: ${body.message ?? `answered ${result.status}`}`,
        { upstream: this.options.target, ...(body.details ?? {}) },
      );
    }
    return result;
  }
}
