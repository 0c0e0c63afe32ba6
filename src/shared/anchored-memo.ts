// A memo kept on the object it is about (a non-enumerable symbol property), so that it lives and
// dies with that object. A WeakMap keyed by short-lived objects — every decision's result is one —
// keeps each entry's value alive until a mark-compact clears the entry; until then every
// scavenge copies the value and then promotes it. Keyed that way, the decision log's mask memos
// promoted ~840 KB per scavenge at 2,900 Redis-tier hits/s (pauses 5–6 ms, p99 25–30 ms); kept on
// the result, ~28 KB (1.7 ms, p99 2.3–2.7 ms).
export class AnchoredMemo<T> {
  private readonly key: symbol;

  constructor(description: string) {
    this.key = Symbol(description);
  }

  get(anchor: object): T | undefined {
    return (anchor as { [key: symbol]: T | undefined })[this.key];
  }

  /** A frozen, sealed or otherwise non-extensible anchor is not memoized. Invisible to JSON,
   * spreads and Object.keys (not enumerable). */
  set(anchor: object, value: T): void {
    if (Object.isExtensible(anchor)) Object.defineProperty(anchor, this.key, { value, writable: true, configurable: true });
  }
}
