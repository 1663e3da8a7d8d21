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
