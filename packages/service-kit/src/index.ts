/**
 * The service kit: a service is its name, its routes, its migrations and its order resolver;
 * the kit builds its runtime from its configuration, its Express app (metrics, logs, health,
 * faults, errors), starts and stops it.
 */
export * from './service-config.js';
export * from './runtime.js';
export * from './app.js';
export * from './service.js';
