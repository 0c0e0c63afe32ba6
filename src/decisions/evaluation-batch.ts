// Decisions whose requests become ready in one event-loop turn continue together, in that turn's
// check phase: their cache lookups and policy evaluations run back to back, then their answers
// are shaped and written back to back, instead of each decision's work sitting between other
// requests' parsing and writing.
//
// Why: a decision walks the compiled policy, its rule caches, the cache tier and the code of the
// answer path; between two requests the rest of the request path evicts them from the CPU's
// caches. Measured (docs/benchmarks.md, session 12): the default tool-call evaluation costs
// ~33 µs in a tight loop, ~55 µs when 2 MB of other data is touched between evaluations, ~37 µs
// when five run back to back between the same touches; in the service it cost 80–120 µs. Under
// load several requests complete their bodies in one poll phase, so a batch forms by itself; a
// lone request waits only for the end of the current poll phase.
//
// A batch's first answer waits for the batch's other lookups and evaluations: at most
// MAX_BATCH decisions share one release, and the next ones form the next batch, released after
// this one's answers are written (microtasks run between two immediates).
export const MAX_BATCH = 16;

interface Batch {
  readonly turn: Promise<void>;
  readonly release: () => void;
  size: number;
}

export class EvaluationBatch {
  /** The batch that join() adds to, until it is released or full. */
  private open: Batch | undefined;

  /** Resolves in the next check phase, together with the other join()s of its batch (at most
   * MAX_BATCH). One promise per batch, shared: its continuations run in the order they joined. */
  join(): Promise<void> {
    let batch = this.open;
    if (batch === undefined || batch.size === MAX_BATCH) {
      let release!: () => void;
      const turn = new Promise<void>((resolve) => (release = resolve));
      const fresh: Batch = { turn, release, size: 0 };
      this.open = batch = fresh;
      setImmediate(() => {
        // A join() from a continuation of this batch waits for a later one.
        if (this.open === fresh) this.open = undefined;
        fresh.release();
      });
    }
    batch.size++;
    return batch.turn;
  }
}
