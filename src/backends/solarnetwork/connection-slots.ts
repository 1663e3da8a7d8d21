/**
 * The pool's connections as slots a request holds from before it is sent until its reply is read.
 * Waiting for a slot has its own time limit, so a request's timeout counts only time on the wire:
 * a write queued behind slow requests is never sent with its budget already spent.
 */
export class ConnectionSlots {
  #free: number;
  readonly #waiting: (() => void)[] = [];

  constructor(size: number) {
    this.#free = size;
  }

  /** Resolves with a release function once a slot is held; rejects with `onTimeout()` after `waitMs`, or when `signal` aborts. */
  acquire(waitMs: number, onTimeout: () => Error, signal?: AbortSignal): Promise<() => void> {
    if (this.#free > 0) {
      this.#free--;
      return Promise.resolve(this.#releaser());
    }
    return new Promise((resolve, reject) => {
      const grant = () => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
        resolve(this.#releaser());
      };
      const leave = (error: Error) => {
        const index = this.#waiting.indexOf(grant);
        if (index >= 0) this.#waiting.splice(index, 1);
        signal?.removeEventListener("abort", onAbort);
        reject(error);
      };
      const onAbort = () => {
        clearTimeout(timer);
        leave(onTimeout());
      };
      const timer = setTimeout(() => leave(onTimeout()), waitMs);
      signal?.addEventListener("abort", onAbort, { once: true });
      this.#waiting.push(grant);
    });
  }

  #releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.#waiting.shift();
      if (next) next();
      else this.#free++;
    };
  }
}
