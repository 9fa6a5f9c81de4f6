import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ALLOWED_MINUTES, OPEN_STATUSES, type OpenStatus } from '@orderscope/orders';
import { REAL_MINUTES, type Activity } from '../src/timing.js';

/** What the people the simulator plays do while an order waits in each status (none: automatic). */
const WAITING_ON: Record<OpenStatus, Activity[]> = {
  INITIATED: ['customerThink'],
  FILE_UPLOADED: ['customerThink', 'b2bThink'],
  SUBMITTED: [],
  PRICE_CALCULATED: [],
  MANUFACTURING_APPROVED: ['operatorPickup'],
  MANUFACTURING_STARTED: ['manufacturing'],
  MANUFACTURING_COMPLETED: ['toPackaging'],
  PACKAGING: ['packing'],
  SHIPPED: ['delivery'],
};

describe("the simulator's people against the allowed times", () => {
  for (const status of OPEN_STATUSES) {
    it(`a healthy order is never stuck in ${status}: its longest wait is under half the allowed time`, () => {
      const longest = Math.max(0, ...WAITING_ON[status].map((a) => REAL_MINUTES[a][1]));
      assert.ok(longest * 2 <= ALLOWED_MINUTES[status], `${status}: up to ${longest} min, allowed ${ALLOWED_MINUTES[status]} min`);
    });
  }
});
