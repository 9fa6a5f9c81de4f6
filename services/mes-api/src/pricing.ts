import type { Material } from '@orderscope/orders';

/** Cents per cm³ of the model's bounding box, by material. */
const RATE_CENTS_PER_CM3: Record<Material, number> = { PLA: 12, PETG: 15, ABS: 16, RESIN: 35, NYLON: 40 };
const SETUP_CENTS = 500;
const MIN_UNIT_CENTS = 200;

export interface Quote {
  readonly volumeCm3: number;
  readonly priceCents: number;
}

/** The price of `quantity` prints of a model whose bounding box is `size` millimetres. */
export function quote(size: readonly [number, number, number], material: Material, quantity: number): Quote {
  const volumeCm3 = Math.round(((size[0] * size[1] * size[2]) / 1000) * 1000) / 1000;
  const unit = Math.max(MIN_UNIT_CENTS, Math.ceil(volumeCm3 * RATE_CENTS_PER_CM3[material]));
  // Larger batches get up to 20 % off per unit.
  const discount = Math.min(0.2, Math.floor(quantity / 10) * 0.02);
  return { volumeCm3, priceCents: SETUP_CENTS + Math.round(unit * quantity * (1 - discount)) };
}
