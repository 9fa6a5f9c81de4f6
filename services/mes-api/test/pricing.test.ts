import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Material } from '@orderscope/orders';
import { quote } from '../src/pricing.js';

describe('the price of an order (quote)', () => {
  // [what, bounding box mm, material, quantity, volume cm³, price cents]
  const cases: Array<[string, [number, number, number], Material, number, number, number]> = [
    ['one PLA cube of 10 cm: setup + 1000 cm³ × 12', [100, 100, 100], 'PLA', 1, 1000, 500 + 12_000],
    ['the material sets the rate (RESIN 35/cm³)', [100, 100, 100], 'RESIN', 1, 1000, 500 + 35_000],
    ['a tiny part pays the minimum unit price', [10, 10, 10], 'PLA', 1, 1, 500 + 200],
    ['9 units: no discount yet', [50, 50, 40], 'PETG', 9, 100, 500 + 9 * 1500],
    ['10 units: 2 % off', [50, 50, 40], 'PETG', 10, 100, 500 + Math.round(10 * 1500 * 0.98)],
    ['100 units: the discount stops at 20 %', [50, 50, 40], 'PETG', 100, 100, 500 + Math.round(100 * 1500 * 0.8)],
    ['the volume is rounded to mm³', [12.3456, 10, 10], 'ABS', 1, 1.235, 500 + 200],
  ];
  for (const [what, size, material, quantity, volumeCm3, priceCents] of cases) {
    it(what, () => assert.deepEqual(quote(size, material, quantity), { volumeCm3, priceCents }));
  }
});
