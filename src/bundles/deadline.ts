// A signal that aborts when `parent` does or after `ms`. Built on a plain timer that holds its
// controller: a composite AbortSignal.any([…, AbortSignal.timeout(ms)]) can lose its timeout to
// garbage collection in Node, and a fetch waiting on it then never ends (seen under load: a bundle
// source stuck for good on a server that never answers).
export interface Deadline {
  signal: AbortSignal;
  /** True when the deadline (not the parent) aborted it. */
  expired(): boolean;
  /** Call when the work is over: clears the timer. */
  done(): void;
}

export function deadline(parent: AbortSignal, ms: number): Deadline {
  const ctl = new AbortController();
  let expired = false;
  const timer = setTimeout(() => {
    expired = true;
    ctl.abort(new DOMException(`no answer within ${ms} ms`, 'TimeoutError'));
  }, ms);
  const onParent = (): void => ctl.abort(parent.reason);
  if (parent.aborted) onParent();
  else parent.addEventListener('abort', onParent, { once: true });
  return {
    signal: ctl.signal,
    expired: () => expired,
    done() {
      clearTimeout(timer);
      parent.removeEventListener('abort', onParent);
    },
  };
}
