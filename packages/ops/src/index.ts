/**
 * Operations tooling, not shipped inside a service's logic: the stack's certificate authority
 * and the database bootstrap (roles, schemas, grants). Their CLIs are this package's bins.
 */
export * from './tls/certificates.js';
export * from './db/bootstrap.js';
export * from './db/consistency.js';
export * from './secrets/secrets.js';
