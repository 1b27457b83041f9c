/**
 * Seeded pseudo-random weights for synthetic models: the same seed gives the same model on every machine.
 * Uniform noise with the requested standard deviation is enough for weights nobody trains. xorshift32 in
 * one tight loop fills a ViT-B/16 (86M parameters) in well under a second.
 */

/** A seeded stream of uniform weights. */
export class SeededRandom {
  private state: number;

  constructor(seed: number) {
    // Mix the seed so nearby seeds start far apart; xorshift must never hold 0.
    this.state = Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ 0x2545f491 || 1;
  }

  /** `count` values, uniform around `mean` with standard deviation `std`. */
  array(count: number, std: number, mean = 0): Float32Array {
    const out = new Float32Array(count);
    const scale = (std * Math.sqrt(3)) / 2 ** 31;
    let x = this.state;
    for (let i = 0; i < count; i++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      out[i] = mean + x * scale;
    }
    this.state = x;
    return out;
  }
}
