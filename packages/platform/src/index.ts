/**
 * The platform every service stands on, knowing nothing of orders: configuration from the
 * environment, errors, logs, HTTP (auth, the budgeted client, input validation), PostgreSQL,
 * fault injection, Prometheus metrics, TLS, and the OpenTelemetry SDK's setup.
 */
export * from './config/env.js';
export * from './errors.js';
export * from './log/logger.js';
export * from './http/auth.js';
export * from './http/client.js';
export * from './http/validate.js';
export * from './http/route.js';
export * from './db/database.js';
export * from './db/migrate.js';
export * from './faults/faults.js';
export * from './metrics/index.js';
export * from './tls.js';
export * from './telemetry/attributes.js';
export * from './telemetry/pseudonymize.js';
export * from './telemetry/spans.js';
export * from './telemetry/stats.js';
export * from './http/endpoint.js';
export * from './node-version.js';
