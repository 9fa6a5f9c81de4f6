// Wrong on purpose: the platform knows nothing of orders.
import { ORDER_STATUSES } from '../../orders/src/lifecycle.js';
export const leak = ORDER_STATUSES;
