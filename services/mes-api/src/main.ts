import { defineService, isEntryPoint } from '@orderscope/common';
import { mesApiRoutes } from './routes.js';

export const mesApiService = defineService('mes-api', import.meta.url, mesApiRoutes);

if (isEntryPoint(import.meta.url)) await mesApiService.main();
