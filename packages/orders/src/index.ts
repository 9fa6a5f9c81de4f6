/**
 * The order domain and the services' contracts: who the services are (topology), the order
 * lifecycle, the catalog, model uploads, idempotent creation, the order's trace (its stored
 * context, its skeleton, the request spans that continue it) and the registry's contract.
 */
export * from './topology.js';
export * from './catalog.js';
export * from './lifecycle/order-lifecycle.js';
export * from './lifecycle/allowed-times.js';
export * from './uploads/stl.js';
export * from './uploads/model-upload.js';
export * from './tracing/attributes.js';
export * from './tracing/order-context.js';
export * from './tracing/server-span.js';
export * from './tracing/transition.js';
export * from './tracing/order-resolver.js';
export * from './contracts/registry.js';
export * from './contracts/pricing.js';
export * from './contracts/approval.js';
export * from './contracts/handoff.js';
export * from './contracts/notifications.js';
export * from './creation/create-order.js';
export * from './access/order-token.js';
export * from './access/order-token-table.js';
export * from './contracts/operators.js';
export * from './contracts/order-access.js';
export * from './uploads/stl-writer.js';
