// The messages between the cluster primary and its workers (node:cluster IPC, JSON). Each
// carries `pdp`, so they are told apart from prom-client's own cluster messages.

/** Worker → primary. */
export type FromWorker =
  /** Whole lines for stdout: only the primary writes stdout, so lines never interleave. */
  | { pdp: 'out'; text: string }
  /** The worker listens (its bundles loaded); the url has the shared port. */
  | { pdp: 'listening'; url: string }
  /** Ask the siblings for a decision record this worker does not hold. */
  | { pdp: 'lookup'; rid: number; id: string }
  /** Answer to the primary's 'lookup-local': the record's JSON, or null. */
  | { pdp: 'lookup-local-result'; rid: number; json: string | null }
  /** Ask for the metrics of every worker, aggregated. */
  | { pdp: 'metrics'; rid: number };

/** Primary → worker. */
export type FromPrimary =
  | { pdp: 'lookup-result'; rid: number; json: string | null }
  /** Look in this worker's own record store only (never ask further: no loops). */
  | { pdp: 'lookup-local'; rid: number; id: string }
  | { pdp: 'metrics-result'; rid: number; contentType: string; body: string }
  | { pdp: 'metrics-result'; rid: number; error: string };

const FROM_WORKER = new Set(['out', 'listening', 'lookup', 'lookup-local-result', 'metrics']);
const FROM_PRIMARY = new Set(['lookup-result', 'lookup-local', 'metrics-result']);

function tagged(m: unknown): m is { pdp: string } {
  return typeof m === 'object' && m !== null && typeof (m as { pdp?: unknown }).pdp === 'string';
}

export function isFromWorker(m: unknown): m is FromWorker {
  return tagged(m) && FROM_WORKER.has(m.pdp);
}

export function isFromPrimary(m: unknown): m is FromPrimary {
  return tagged(m) && FROM_PRIMARY.has(m.pdp);
}
