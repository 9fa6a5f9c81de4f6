import { defineService, isEntryPoint } from '@orderscope/common';
import { mesRoutes } from './routes.js';

export const mesService = defineService('mes', import.meta.url, mesRoutes);

if (isEntryPoint(import.meta.url)) await mesService.main();
