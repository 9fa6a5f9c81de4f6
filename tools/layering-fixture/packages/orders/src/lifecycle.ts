export const ORDER_STATUSES = ['INITIATED'] as const;
