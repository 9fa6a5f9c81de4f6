import { createHmac } from 'node:crypto';

/**
 * A stable, keyed pseudonym of a customer's id: the same customer always gets the same value (so
 * traces can be grouped by customer) but nobody without the key can find the id behind it.
 */
export function pseudonymize(userId: string, key: string): string {
  return createHmac('sha256', key).update(userId).digest('hex').slice(0, 32);
}
