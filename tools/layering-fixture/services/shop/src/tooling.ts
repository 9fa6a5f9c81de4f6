// Wrong on purpose: a service's code uses the testkit.
import { testDatabase } from '../../../packages/testkit/src/index.js';
export const tooling = testDatabase;
