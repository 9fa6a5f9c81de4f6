import { fileURLToPath } from 'node:url';
import { loadServiceConfig, runMain, startService, type ServiceConfig } from '@orderscope/common';
import { crmRoutes } from './routes.js';

export const crmService = {
  migrationsDir: fileURLToPath(new URL('../../migrations', import.meta.url)),
  routes: crmRoutes,
};

export const startCrm = (config: ServiceConfig) => startService(crmService, config);

if (import.meta.url === `file://${process.argv[1]}`) {
  await runMain(() => startCrm(loadServiceConfig('crm')));
}
