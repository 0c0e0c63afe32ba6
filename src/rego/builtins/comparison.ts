// equal neq lt lte gt gte: OPA's total order across types (value.ts `compare`).

import { compare, equal } from '../value.js';
import type { Builtin } from './types.js';
import { def } from './util.js';

export const comparison: Builtin[] = [
  def('equal', ['any', 'any'], ([a, b]) => equal(a, b)),
  def('neq', ['any', 'any'], ([a, b]) => !equal(a, b)),
  def('lt', ['any', 'any'], ([a, b]) => compare(a, b) < 0),
  def('lte', ['any', 'any'], ([a, b]) => compare(a, b) <= 0),
  def('gt', ['any', 'any'], ([a, b]) => compare(a, b) > 0),
  def('gte', ['any', 'any'], ([a, b]) => compare(a, b) >= 0),
];
