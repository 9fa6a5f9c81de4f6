export * from './registry.js';
export * from './http-metrics.js';
export * from './server.js';
export * from './call-metrics.js';
export * from './db-metrics.js';
export * from './telemetry-metrics.js';
export * from './certificate-metrics.js';
export * from './peer-certificate-probe.js';
// The metric types a service registers its own metrics with (one prom-client for the whole stack).
export { Counter, Gauge, Histogram, type Registry } from 'prom-client';
