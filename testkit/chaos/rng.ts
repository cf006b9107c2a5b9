// A seeded generator, so a schedule can be drawn again from its seed. mulberry32: small, fast and
// good enough to draw faults (not for secrets); each round has its own stream, so one round can be
// replayed alone.
export class Rng {
  private state: number;

  constructor(seed: number, stream = 0) {
    this.state = (Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(stream + 1, 0xc2b2ae35)) >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }

  /** One of `weights`' keys, each as likely as its weight. */
  weighted<K extends string>(weights: Readonly<Record<K, number>>): K {
    const entries = Object.entries(weights) as [K, number][];
    let at = this.next() * entries.reduce((sum, [, weight]) => sum + weight, 0);
    for (const [key, weight] of entries) {
      if ((at -= weight) < 0) return key;
    }
    return entries[entries.length - 1]![0];
  }

  /** `size` bytes drawn from this stream. */
  bytes(size: number): Buffer {
    const buffer = Buffer.alloc(size);
    for (let at = 0; at < size; at += 4) {
      const word = (this.next() * 4294967296) >>> 0;
      for (let k = 0; k < 4 && at + k < size; k++) buffer[at + k] = (word >>> (8 * k)) & 0xff;
    }
    return buffer;
  }
}
