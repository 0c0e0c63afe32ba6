// Variable scopes of one rule (or query): every local gets a slot in the rule's
// environment array. Nested bodies (comprehensions, `every`) get child scopes; names
// they share with an enclosing body refer to the enclosing variable (closures).

export class SlotAllocator {
  count = 0;
  next(): number {
    return this.count++;
  }
}

export class Scope {
  readonly vars = new Map<string, number>();
  /** Slots declared in this scope (not in children). */
  readonly own = new Set<number>();
  readonly parent: Scope | null;
  readonly slots: SlotAllocator;
  /** Names assigned with `:=` in this scope (redeclaration is a compile error). */
  readonly assigned = new Set<string>();

  constructor(parent: Scope | null, slots?: SlotAllocator) {
    this.parent = parent;
    this.slots = slots ?? parent?.slots ?? new SlotAllocator();
  }

  lookup(name: string): number | undefined {
    for (let s: Scope | null = this; s; s = s.parent) {
      const v = s.vars.get(name);
      if (v !== undefined) return v;
    }
    return undefined;
  }

  declare(name: string): number {
    const slot = this.slots.next();
    this.vars.set(name, slot);
    this.own.add(slot);
    return slot;
  }

  fresh(): number {
    const slot = this.slots.next();
    this.own.add(slot);
    return slot;
  }

  /** Whether a slot belongs to this scope or one of its descendants (tracked by caller). */
  isOwn(slot: number): boolean {
    return this.own.has(slot);
  }
}
