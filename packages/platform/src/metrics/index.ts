export * from './registry.js';
export * from './http-metrics.js';
export * from './server.js';
