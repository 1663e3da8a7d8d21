import type { Token } from "./model.js";
import type { TokenFilter, TokenService } from "./service.js";

interface Listing {
  fetchedAt: number;
  tokens: readonly Token[];
}

/** A /find in flight, shared by every caller that missed the cache for its filter meanwhile. */
interface Flight {
  tokens: Promise<readonly Token[]>;
  /** Callers still waiting on it: the request is aborted only once every one of them has given up. */
  waiting: number;
  abort: AbortController;
}

/**
 * The service with `list` answered from the last /find reply for the same filter while it is
 * younger than `ttlMs`, so that paging through list_tokens reads the account once, not once per
 * page; callers that miss together share one /find. Any write through it forgets every listing,
 * before it is sent and again once it ends, failed or not (a failed write may still have applied).
 * A listing that was in flight while a write ran is returned to its callers but neither kept nor
 * shared with later ones. Changes made elsewhere show within `ttlMs`; a `fresh` listing (a check a
 * write depends on) is always read anew.
 */
export function withListingCache(service: TokenService, ttlMs: number, clock: () => number): TokenService {
  const listings = new Map<string, Listing>();
  const flights = new Map<string, Flight>();
  // Counts writes begun and ended: a listing fetched across a change of it may predate the write.
  let writes = 0;
  const forget = () => {
    writes += 1;
    listings.clear();
    flights.clear();
  };
  const writing = async <T>(write: () => Promise<T>): Promise<T> => {
    forget();
    try {
      return await write();
    } finally {
      forget();
    }
  };
  const isFresh = (listing: Listing, now: number) => now >= listing.fetchedAt && now - listing.fetchedAt < ttlMs;

  const fly = (key: string, filter: TokenFilter, now: number): Flight => {
    const abort = new AbortController();
    const writesBefore = writes;
    const tokens = service.list(filter, abort.signal).then((found) => {
      if (writes === writesBefore) listings.set(key, { fetchedAt: now, tokens: found });
      return found;
    });
    const flight: Flight = { tokens, waiting: 0, abort };
    flights.set(key, flight);
    const land = () => {
      if (flights.get(key) === flight) flights.delete(key);
    };
    tokens.then(land, land);
    return flight;
  };

  /** The flight's answer for one caller, who may give up (abort) without taking it from the others. */
  const board = async (key: string, flight: Flight, signal: AbortSignal | undefined): Promise<Token[]> => {
    signal?.throwIfAborted();
    flight.waiting += 1;
    let leave: (() => void) | undefined;
    const gaveUp = new Promise<never>((_, reject) => {
      leave = () => {
        if (--flight.waiting === 0) {
          flight.abort.abort(signal?.reason);
          if (flights.get(key) === flight) flights.delete(key);
        }
        reject(signal?.reason);
      };
      signal?.addEventListener("abort", leave, { once: true });
    });
    try {
      return [...(await Promise.race([flight.tokens, gaveUp]))];
    } finally {
      if (!signal?.aborted) flight.waiting -= 1;
      if (leave) signal?.removeEventListener("abort", leave);
    }
  };

  return {
    async list(filter, signal) {
      const now = clock();
      for (const [key, listing] of listings) if (!isFresh(listing, now)) listings.delete(key);
      if (filter.fresh) return service.list(filter, signal);
      const key = filterKey(filter);
      const cached = listings.get(key);
      if (cached) return [...cached.tokens];
      return board(key, flights.get(key) ?? fly(key, filter, now), signal);
    },
    get: (tokenId, signal) => service.get(tokenId, signal),
    create: (type, policy, signal) => writing(() => service.create(type, policy, signal)),
    setInfo: (tokenId, info, signal) => writing(() => service.setInfo(tokenId, info, signal)),
    setStatus: (tokenId, status, signal) => writing(() => service.setStatus(tokenId, status, signal)),
    updatePolicy: (tokenId, policy, mode, signal) => writing(() => service.updatePolicy(tokenId, policy, mode, signal)),
    delete: (tokenId, signal) => writing(() => service.delete(tokenId, signal)),
  };
}

/** SolarNetwork filters /find itself (active, tokenTypes), so each filter is its own listing. */
function filterKey({ type, status }: TokenFilter): string {
  return `${type ?? "*"}|${status ?? "*"}`;
}
