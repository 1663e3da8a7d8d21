import type { Dispatcher } from "undici";

/** What every backend's HTTP client takes, besides where and as whom. */
export interface TransportOptions {
  timeoutMs: number;
  /** Wall clock in epoch ms; replaceable so tests control time. */
  clock?: () => number;
  /** Retries of a GET on network errors, 429 and 5xx, at most (default 2). */
  maxRetries?: number;
  /** Back-off before retry `attempt` (1-based), in ms. */
  retryDelayMs?: (attempt: number) => number;
  /** Tests may pass their own dispatcher; by default one kept-alive pool for the origin. */
  dispatcher?: Dispatcher;
}

/** The failures a read may be sent again after: the network, the upstream, a rate limit. */
const TRANSIENT = new Set(["network", "upstream", "rate-limited"]);

/**
 * Whether a failed request may be sent again. Only a GET: a write whose reply was lost may have
 * applied, and sending it again could apply it twice (a second token minted).
 */
export function mayRetry(method: string, errorKind: string, attempt: number, maxRetries: number): boolean {
  return method === "GET" && attempt < maxRetries && TRANSIENT.has(errorKind);
}

/**
 * Whether a request failed before any byte of it could reach the server (refused, no such host,
 * no connection in time): only then is a write known not to have applied. `alsoBefore` names a
 * backend's other such failures (e.g. a certificate the client refused).
 */
export function failedBeforeSending(error: unknown, alsoBefore: (error: unknown) => boolean = () => false): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  return code === "ECONNREFUSED" || code === "ENOTFOUND" || code === "EAI_AGAIN" || code === "UND_ERR_CONNECT_TIMEOUT" || alsoBefore(error);
}

/** A response header's first value. */
export function headerValue(headers: Dispatcher.ResponseData["headers"], name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

const MAX_RETRY_AFTER_MS = 60_000;

/** `Retry-After` (seconds, or an HTTP date read against `now`, epoch ms) as a wait in ms, at most a minute. */
export function retryAfterMs(value: string | undefined, now: number): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.min(seconds * 1000, MAX_RETRY_AFTER_MS);
  const at = Date.parse(value);
  return Number.isFinite(at) ? Math.min(Math.max(at - now, 0), MAX_RETRY_AFTER_MS) : undefined;
}

/** Waits `ms`; rejects with `cancelled()` as soon as `signal` aborts. */
export function delay(ms: number, signal: AbortSignal | undefined, cancelled: () => Error): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(cancelled());
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(cancelled());
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
