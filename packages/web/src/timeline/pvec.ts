/**
 * A small persistent vector (a 32-way trie with path copying), so the timeline reducer can stay
 * pure while updating one row in O(log32 n) — at most 4 levels for a million rows, i.e. O(1) in
 * practice — instead of copying the whole row array on every streamed text delta.
 */
const BITS = 5;
const WIDTH = 1 << BITS;
const MASK = WIDTH - 1;

type Node<T> = ReadonlyArray<T | Node<T>>;

export class PVec<T> {
  private constructor(
    private readonly root: Node<T>,
    readonly size: number,
    /** Bits to shift for the root level; 0 means the root is a leaf. */
    private readonly shift: number,
  ) {}

  static empty<T>(): PVec<T> {
    return new PVec<T>([], 0, 0);
  }

  static from<T>(items: readonly T[]): PVec<T> {
    let v = PVec.empty<T>();
    for (const item of items) v = v.push(item);
    return v;
  }

  get(index: number): T | undefined {
    if (index < 0 || index >= this.size) return undefined;
    let node: Node<T> = this.root;
    for (let level = this.shift; level > 0; level -= BITS) {
      node = node[(index >>> level) & MASK] as Node<T>;
    }
    return node[index & MASK] as T;
  }

  set(index: number, value: T): PVec<T> {
    if (index < 0 || index >= this.size) throw new RangeError(`index ${index} out of range`);
    return new PVec(setIn(this.root, this.shift, index, value), this.size, this.shift);
  }

  push(value: T): PVec<T> {
    const capacity = 1 << (this.shift + BITS);
    if (this.size < capacity) {
      return new PVec(setIn(this.root, this.shift, this.size, value), this.size + 1, this.shift);
    }
    // Full: grow a level, the old root becomes the first child.
    const grown: Node<T> = [this.root];
    const shift = this.shift + BITS;
    return new PVec(setIn(grown, shift, this.size, value), this.size + 1, shift);
  }

  /** Items in [start, end), for rendering a window of rows. */
  slice(start: number, end: number): T[] {
    const out: T[] = [];
    const stop = Math.min(end, this.size);
    for (let i = Math.max(0, start); i < stop; i++) out.push(this.get(i) as T);
    return out;
  }

  toArray(): T[] {
    return this.slice(0, this.size);
  }
}

function setIn<T>(node: Node<T>, shift: number, index: number, value: T): Node<T> {
  const copy = node.slice();
  const slot = (index >>> shift) & MASK;
  if (shift === 0) copy[slot] = value;
  else copy[slot] = setIn((node[slot] as Node<T> | undefined) ?? [], shift - BITS, index, value);
  return copy;
}
