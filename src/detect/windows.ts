// Per-key time windows for the rules that count (denied requests, resource types read, deletions):
// a key's window starts with its first event and a new one starts once it is older than the span.
// Bounded: past the limit, expired windows are dropped, and if none has expired, all of them.

export class Windows<W extends { start: number }> {
  private readonly byKey = new Map<string, W>();

  constructor(
    private readonly spanMs: number,
    private readonly fresh: (start: number) => W,
    private readonly max = 50_000,
  ) {}

  /** The window `key` is in at `now`, a new one if it had none or its window is over. */
  at(key: string, now: number): W {
    const w = this.byKey.get(key);
    if (w && now - w.start <= this.spanMs) return w;
    if (this.byKey.size >= this.max) {
      for (const [k, old] of this.byKey) if (now - old.start > this.spanMs) this.byKey.delete(k);
      if (this.byKey.size >= this.max) this.byKey.clear();
    }
    const next = this.fresh(now);
    this.byKey.set(key, next);
    return next;
  }
}
