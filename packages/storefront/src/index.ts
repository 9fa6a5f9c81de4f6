import { fileURLToPath } from 'node:url';

/** The built storefront (vite build), which the shop serves at /. */
export const STOREFRONT_DIR = fileURLToPath(new URL('../web', import.meta.url));

/** Where the storefront posts its spans: same origin, at the shop (never the collector directly). */
export const RUM_TRACES_PATH = '/rum/v1/traces';
/** service.name of every browser span, whatever the browser claims. */
export const RUM_SERVICE_NAME = 'storefront';
