/**
 * The results of a pure function, kept by key, so that work met again
 * (every VM's ipf files repeat the same lines) is done once per process.
 * Bounded: emptied whole when it holds `limit` entries, which only ever
 * makes it slower, never different. A call that throws keeps nothing.
 */
export class Memo<K, V> {
  private readonly kept = new Map<K, V>();

  constructor(private readonly limit: number) {}

  get(key: K, make: () => V): V {
    const known = this.kept.get(key);
    if (known !== undefined) return known;
    const made = make();
    if (this.kept.size >= this.limit) this.kept.clear();
    this.kept.set(key, made);
    return made;
  }
}
