import { defineService, isEntryPoint } from '@orderscope/service-kit';
import { mesApiOrderResolver, mesApiRoutes } from './routes.js';

export const mesApiService = defineService('mes-api', import.meta.url, { routes: mesApiRoutes, resolveOrder: mesApiOrderResolver });

if (isEntryPoint(import.meta.url)) await mesApiService.main();
