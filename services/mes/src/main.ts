import { defineService, isEntryPoint } from '@orderscope/service-kit';
import { mesOrderResolver, mesRoutes } from './routes.js';

export const mesService = defineService('mes', import.meta.url, { routes: mesRoutes, resolveOrder: mesOrderResolver });

if (isEntryPoint(import.meta.url)) await mesService.main();
