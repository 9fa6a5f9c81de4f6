import { defineService, isEntryPoint } from '@orderscope/common';
import { crmOrderResolver, crmRoutes } from './routes.js';

export const crmService = defineService('crm', import.meta.url, crmRoutes, crmOrderResolver);

if (isEntryPoint(import.meta.url)) await crmService.main();
