/**
 * What the storefront's page and the shop agree on. No Node imports: the page's bundle reads this
 * file too.
 */

/** Where the storefront posts its spans: same origin, at the shop (never the collector directly). */
export const RUM_TRACES_PATH = '/rum/v1/traces';
/** service.name of every browser span (the collector forces it whatever the browser claims). */
export const RUM_SERVICE_NAME = 'storefront';
