import { defineService, isEntryPoint } from '@orderscope/service-kit';
import { publishAllowedWaits } from './registry/allowed-times.js';
import { reportStuckOrders } from './registry/stuck-orders.js';
import { crmOrderResolver, crmRoutes } from './routes.js';

export const crmService = defineService('crm', import.meta.url, {
  routes: crmRoutes,
  resolveOrder: crmOrderResolver,
  // The stuck-order scan: a lost order shows up in its trace (and the registry's stuck list).
  background: (rt) => {
    publishAllowedWaits(rt.db, rt.config.stuck.allowedMs).catch((err: unknown) =>
      rt.logger.error({ err }, 'allowed waits not published for the reports'),
    );
    const timer = setInterval(() => {
      reportStuckOrders(rt.db, rt.logger, rt.config.stuck.allowedMs).catch((err: unknown) =>
        rt.logger.error({ err }, 'stuck-order scan failed'),
      );
    }, rt.config.stuck.scanIntervalMs);
    timer.unref();
    return () => clearInterval(timer);
  },
});

if (isEntryPoint(import.meta.url)) await crmService.main();
