// Wrong on purpose: a imports b, b imports a.
import { b } from './b.js';
export const a = () => b();
