// Node 20's process.nextTick makes each tick object from an object literal with computed
// (symbol) keys. V8 keeps the maps of such objects only while an object has them; a full garbage
// collection at a moment when no tick object is alive — the start-up collection before listening
// is one (collectStartupGarbage) — lets them die, the next tick object gets new ones, and the
// literal's feedback turns megamorphic for the rest of the process: from then on every nextTick
// (~7 per request, in Node's streams and HTTP code) defines its four fields through the runtime,
// ~20,000 instructions per request under callgrind, ~6 % of a cache hit (docs/benchmarks.md,
// session 25). One tick object kept alive for the life of the process keeps the maps.
import { createHook } from 'node:async_hooks';

let kept: object | undefined;

/** Keeps one tick object alive; call before anything that may collect garbage (the launcher
 * does, before it loads the service). Idempotent. */
export function keepTickObjectShape(): void {
  if (kept !== undefined) return;
  // The tick object is handed to async hooks' init; the hook is enabled only around one nextTick.
  const hook = createHook({
    init(_asyncId, type, _trigger, resource) {
      if (type === 'TickObject') kept ??= resource;
    },
  });
  hook.enable();
  try {
    process.nextTick(noop);
  } finally {
    hook.disable();
  }
}

function noop(): void {}

/** The kept tick object (tests). */
export function keptTickObject(): object | undefined {
  return kept;
}
