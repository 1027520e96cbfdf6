/**
 * A tournament tree over numbered slots (worker selection's fast path, worker-selection-index.ts):
 * each slot holds a key pair (primary, then secondary; primary +Infinity = not in the running),
 * every inner node the smaller pair of its children with the lower slot winning ties, so the
 * minimum and its slot are read in O(1) and a slot's update costs O(log n).
 */
export class MinSlotTree {
  private leaves = 1;
  private values: Float64Array<ArrayBuffer> = new Float64Array(2).fill(Infinity);
  private seconds: Float64Array<ArrayBuffer> = new Float64Array(2);
  private slots: Int32Array<ArrayBuffer> = Int32Array.of(-1, 0);

  /** The smallest primary key (+Infinity when none). */
  get minimum(): number {
    return this.values[1]!;
  }

  /** The slot holding the smallest value, the lowest such slot on ties; -1 when none. */
  get minimumSlot(): number {
    return this.values[1] === Infinity ? -1 : this.slots[1]!;
  }

  /** Makes room for slots 0 … count − 1 (existing values are kept). */
  ensureSlots(count: number): void {
    if (count <= this.leaves) return;
    let leaves = this.leaves;
    while (leaves < count) leaves *= 2;
    const old = this.values.subarray(this.leaves, this.leaves + this.leaves);
    const oldSeconds = this.seconds.subarray(this.leaves, this.leaves + this.leaves);
    this.values = new Float64Array(2 * leaves).fill(Infinity);
    this.seconds = new Float64Array(2 * leaves);
    this.slots = new Int32Array(2 * leaves).fill(-1);
    this.values.set(old, leaves);
    this.seconds.set(oldSeconds, leaves);
    for (let slot = 0; slot < leaves; slot += 1) this.slots[leaves + slot] = slot;
    this.leaves = leaves;
    for (let node = leaves - 1; node >= 1; node -= 1) this.pull(node);
  }

  /** Sets a slot's keys (primary +Infinity takes it out of the running). */
  set(slot: number, value: number, second = 0): void {
    let node = this.leaves + slot;
    if (this.values[node] === value && this.seconds[node] === second) return;
    this.values[node] = value;
    this.seconds[node] = second;
    for (node >>= 1; node >= 1; node >>= 1) this.pull(node);
  }

  private pull(node: number): void {
    const left = 2 * node;
    const right = left + 1;
    const leftValue = this.values[left]!;
    const rightValue = this.values[right]!;
    // Lower slots sit left, so the left child wins ties.
    const from = rightValue < leftValue || (rightValue === leftValue && this.seconds[right]! < this.seconds[left]!) ? right : left;
    this.values[node] = this.values[from]!;
    this.seconds[node] = this.seconds[from]!;
    this.slots[node] = this.slots[from]!;
  }
}
