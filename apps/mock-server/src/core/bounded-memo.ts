/**
 * `compute` remembered per argument, for a pure function the request path calls with the same few
 * arguments over and over (a job's times, a client's key, a price). Up to `capacity` arguments are
 * kept; past that the memo starts over, so a stream of distinct arguments costs a bounded amount of
 * memory and no bookkeeping per hit (an LRU moves each hit). A call that throws is not remembered.
 * `remember` (default: every argument) leaves out arguments not worth keeping, e.g. long strings.
 */
export function boundedMemo<K, V>(compute: (key: K) => V, capacity: number, remember?: (key: K) => boolean): (key: K) => V {
  const known = new Map<K, V>();
  return (key: K): V => {
    let value = known.get(key);
    if (value === undefined && !known.has(key)) {
      value = compute(key);
      if (remember === undefined || remember(key)) {
        if (known.size >= capacity) known.clear();
        known.set(key, value);
      }
    }
    return value as V;
  };
}
