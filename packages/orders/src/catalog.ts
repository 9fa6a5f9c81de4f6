/** Print materials the company offers; the shop, the MES API and the CRM accept only these. */
export const MATERIALS = ['PLA', 'PETG', 'ABS', 'RESIN', 'NYLON'] as const;
export type Material = (typeof MATERIALS)[number];
