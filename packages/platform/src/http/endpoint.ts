import { z } from 'zod';
import { AppError } from '../errors.js';
import type { CallOptions, CallResult, ServiceClient } from './client.js';

/**
 * One HTTP endpoint as a contract: its method, its path template, and the zod schemas of its path
 * parameters, its request body and its response body. The route that serves it parses with the
 * same schemas the typed client sends and reads with, so the two sides cannot drift.
 */
export interface Endpoint<P extends z.ZodType, Q extends z.ZodType, R extends z.ZodType> {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Express-style template, e.g. `/internal/orders/:orderId/price`. */
  readonly path: string;
  readonly params: P;
  readonly request: Q;
  readonly response: R;
}

export function endpoint<P extends z.ZodType, Q extends z.ZodType, R extends z.ZodType>(e: Endpoint<P, Q, R>): Endpoint<P, Q, R> {
  return e;
}

/** A contract's path with its parameters filled in (each URI-encoded). */
export function endpointPath(template: string, params: Record<string, unknown>): string {
  return template.replace(/:([A-Za-z_]\w*)/g, (_m, name: string) => {
    if (params[name] === undefined) throw new Error(`endpoint ${template}: no value for :${name}`);
    return encodeURIComponent(String(params[name]));
  });
}

/**
 * Calls `e` through `client` (its budget, retries and 4xx mapping): the parameters and the body are
 * checked against the contract before they leave, and the answer after it arrives — an answer that
 * is not what the contract says is the callee's fault (502), named with what was wrong.
 */
export async function callEndpoint<P extends z.ZodType, Q extends z.ZodType, R extends z.ZodType>(
  client: ServiceClient,
  e: Endpoint<P, Q, R>,
  input: { params: z.input<P>; body?: z.input<Q> },
  opts: Omit<CallOptions, 'json'> = {},
): Promise<CallResult<z.output<R>>> {
  const path = endpointPath(e.path, e.params.parse(input.params) as Record<string, unknown>);
  const json = input.body === undefined ? undefined : e.request.parse(input.body);
  const result = await client.send<unknown>(e.method, path, { ...opts, ...(json === undefined ? {} : { json }) });
  const parsed = e.response.safeParse(result.body);
  if (!parsed.success) {
    throw new AppError(502, 'bad_upstream_response', `${client.options.target} ${e.method} ${e.path}: the answer breaks the contract`, {
      upstream: client.options.target,
      issues: parsed.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`),
    });
  }
  return { ...result, body: parsed.data };
}

/** What a route answers: typed by the contract's response (the schema's input side). */
export function reply<R extends z.ZodType>(e: { readonly response: R }, body: z.input<R>): z.input<R> {
  return body;
}
