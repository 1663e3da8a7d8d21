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

/** One caller's two buckets: one for read-only tool calls, one for the rest. Absent: no limit. */
export interface RateLimits {
  reads?: TokenBucket;
  writes?: TokenBucket;
}

/** The buckets of each caller: an OAuth subject has its own; undefined (stdio, the static bearer) the process's. */
export interface RateLimiter {
  for(subject: string | undefined): RateLimits;
}

/** Subjects whose buckets are kept at most; past that the longest-known one starts afresh. */
const MAX_SUBJECTS = 10_000;

/** Buckets for `perMinute` calls (0: no limit), made once per process so every session shares them. */
export function rateLimits(perMinute: { reads: number; writes: number }, clock: () => number): RateLimiter {
  const bucket = (rate: number) => (rate > 0 ? new TokenBucket(rate, rate, clock) : undefined);
  const make = (): RateLimits => ({ reads: bucket(perMinute.reads), writes: bucket(perMinute.writes) });
  const shared = make();
  const bySubject = new Map<string, RateLimits>();
  return {
    for(subject) {
      if (subject === undefined) return shared;
      let limits = bySubject.get(subject);
      if (!limits) {
        if (bySubject.size >= MAX_SUBJECTS) bySubject.delete(bySubject.keys().next().value as string);
        bySubject.set(subject, (limits = make()));
      }
      return limits;
    },
  };
}
