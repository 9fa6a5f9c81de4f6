import { defineService, isEntryPoint } from '@orderscope/service-kit';
import { shopOrderResolver, shopRoutes } from './routes.js';

export const shopService = defineService('shop', import.meta.url, { routes: shopRoutes, resolveOrder: shopOrderResolver });

if (isEntryPoint(import.meta.url)) await shopService.main();
