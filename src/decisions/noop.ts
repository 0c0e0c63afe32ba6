// Defaults for the pipeline's parts until a plugin hands over the real ones.
import type { DecisionCache, DecisionSpan, DecisionTracer } from './types.js';

export const noopCache: DecisionCache = {
  get: () => undefined,
  set: () => undefined,
};

export const noopSpan: DecisionSpan = { traceId: '', end: () => undefined };

export const noopTracer: DecisionTracer = {
  start: () => noopSpan,
};
