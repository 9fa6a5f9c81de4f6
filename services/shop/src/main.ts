import { defineService, isEntryPoint } from '@orderscope/common';
import { shopRoutes } from './routes.js';

export const shopService = defineService('shop', import.meta.url, shopRoutes);

if (isEntryPoint(import.meta.url)) await shopService.main();
