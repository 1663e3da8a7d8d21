/** A token bucket: `capacity` calls at once, refilled at `perMinute` calls a minute. */
export class TokenBucket {
  #tokens: number;
  #updated: number;

  constructor(
    private readonly capacity: number,
    private readonly perMinute: number,
    private readonly clock: () => number = Date.now,
  ) {
    this.#tokens = capacity;
    this.#updated = clock();
  }

  /** Takes one call's token; when none is left, how long until one is. */
  take(): { allowed: true } | { allowed: false; retryAfterMs: number } {
    const now = this.clock();
    const refill = ((now - this.#updated) * this.perMinute) / 60_000;
    this.#tokens = Math.min(this.capacity, this.#tokens + refill);
    this.#updated = now;
    if (this.#tokens >= 1) {
      this.#tokens -= 1;
      return { allowed: true };
    }
    return { allowed: false, retryAfterMs: Math.ceil(((1 - this.#tokens) * 60_000) / this.perMinute) };
  }
}
