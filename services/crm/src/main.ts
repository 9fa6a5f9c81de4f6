import { defineService, isEntryPoint } from '@orderscope/common';
import { crmRoutes } from './routes.js';

export const crmService = defineService('crm', import.meta.url, crmRoutes);

if (isEntryPoint(import.meta.url)) await crmService.main();
