import { fileURLToPath } from 'node:url';

export { RUM_SERVICE_NAME, RUM_TRACES_PATH } from './contract.js';

/** The built storefront (vite build), which the shop serves at /. */
export const STOREFRONT_DIR = fileURLToPath(new URL('../web', import.meta.url));
