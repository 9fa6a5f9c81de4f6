// Wrong on purpose: the shop reaches into the CRM's code instead of its contract.
import { crmRoutes } from '../../crm/src/routes.js';
export const peek = crmRoutes;
