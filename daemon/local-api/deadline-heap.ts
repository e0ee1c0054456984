// A binary min-heap on `deadline`: one timer armed for the earliest entry serves any number of parked requests.

export interface HasDeadline {
  deadline: number;
}

export class DeadlineHeap<T extends HasDeadline> {
  #items: T[] = [];

  get size(): number {
    return this.#items.length;
  }

  peek(): T | undefined {
    return this.#items[0];
  }

  push(item: T): void {
    const items = this.#items;
    items.push(item);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if ((items[parent] as T).deadline <= item.deadline) break;
      items[i] = items[parent] as T;
      i = parent;
    }
    items[i] = item;
  }

  pop(): T | undefined {
    const items = this.#items;
    const top = items[0];
    const last = items.pop();
    if (top === undefined || last === undefined || items.length === 0) return top;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= items.length) break;
      const right = left + 1;
      const child = right < items.length && (items[right] as T).deadline < (items[left] as T).deadline ? right : left;
      if ((items[child] as T).deadline >= last.deadline) break;
      items[i] = items[child] as T;
      i = child;
    }
    items[i] = last;
    return top;
  }

  /** Keeps only the entries `keep` accepts: lets the owner drop cancelled entries in one O(n) pass. */
  retain(keep: (item: T) => boolean): void {
    const kept = this.#items.filter(keep);
    this.#items = [];
    for (const item of kept) this.push(item);
  }

  clear(): void {
    this.#items = [];
  }
}
