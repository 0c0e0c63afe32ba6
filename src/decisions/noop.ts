// Defaults for the pipeline's extension points until the real ones are plugged in.
import type { DecisionCache, DecisionLogger, DecisionSpan, DecisionTracer } from './types.js';

export const noopCache: DecisionCache = {
  get: () => undefined,
  set: () => undefined,
};

export const noopLogger: DecisionLogger = {
  log: () => undefined,
};

const noopSpan: DecisionSpan = { traceId: '', end: () => undefined };

export const noopTracer: DecisionTracer = {
  start: () => noopSpan,
};
