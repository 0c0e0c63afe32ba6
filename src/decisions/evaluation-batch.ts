// Policy evaluations of the requests that become ready in one event-loop turn run back to back,
// in that turn's check phase, instead of each between its own request's parsing and response.
//
// Why: an evaluation walks the compiled policy, its rule caches and the engine's code; between two
// requests the rest of the request path (HTTP parsing, validation, serialization, the decision
// log) evicts them from the CPU's caches. Measured (docs/benchmarks.md, session 12): the default
// tool-call decision costs ~33 µs in a tight loop, ~55 µs when 2 MB of other data is touched
// between evaluations, ~37 µs when five run back to back between the same touches; in the service
// it cost 80–120 µs. Under load several requests complete their bodies in one poll phase, so a
// batch forms by itself; a lone request waits only for the end of the current poll phase.
export class EvaluationBatch {
  private jobs: (() => void)[] = [];

  /** fn's result, computed in the next check phase together with the other jobs queued by then.
   * fn must not throw (the pipeline's evaluateSafely does not); if it does, the promise rejects
   * and the other jobs still run. */
  run<T>(fn: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (this.jobs.push(() => settle(fn, resolve, reject)) === 1) setImmediate(this.drain);
    });
  }

  private readonly drain = (): void => {
    const jobs = this.jobs;
    this.jobs = [];
    for (let i = 0; i < jobs.length; i++) (jobs[i] as () => void)();
  };
}

function settle<T>(fn: () => T, resolve: (v: T) => void, reject: (e: unknown) => void): void {
  try {
    resolve(fn());
  } catch (err) {
    reject(err);
  }
}
