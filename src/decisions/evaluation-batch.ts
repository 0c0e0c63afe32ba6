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
export class EvaluationBatch {
  private turn: Promise<void> | undefined;
  private release: (() => void) | undefined;

  /** Resolves in the next check phase, together with every other join() made before it. One
   * promise per turn, shared: its continuations run in the order the decisions joined. */
  join(): Promise<void> {
    if (this.turn === undefined) {
      this.turn = new Promise<void>((resolve) => (this.release = resolve));
      setImmediate(this.open);
    }
    return this.turn;
  }

  private readonly open = (): void => {
    const release = this.release;
    // A join() from a continuation of this turn waits for the next one.
    this.turn = undefined;
    this.release = undefined;
    release?.();
  };
}
