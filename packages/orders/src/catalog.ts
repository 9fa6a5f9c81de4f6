/** Print materials the company offers; the shop, the MES API and the CRM accept only these. */
export const MATERIALS = ['PLA', 'PETG', 'ABS', 'RESIN', 'NYLON'] as const;
export type Material = (typeof MATERIALS)[number];

/**
 * The largest part the company prints, per side of its bounding box (mm): the online constructor's
 * limit, and what an uploaded model and a price request may measure (a bigger one would overflow the price).
 */
export const MAX_MODEL_SIDE_MM = 1000;
