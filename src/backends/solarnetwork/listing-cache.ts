import type { Token } from "./model.js";
import type { TokenFilter, TokenService } from "./service.js";

interface Listing {
  fetchedAt: number;
  tokens: readonly Token[];
}

/**
 * The service with `list` answered from the last /find reply for the same filter while it is
 * younger than `ttlMs`, so that paging through list_tokens reads the account once, not once per
 * page. Any write through it forgets every listing, before it is sent and again once it ends,
 * failed or not (a failed write may still have applied). A listing that was in flight while a write
 * ran is returned but not kept. Changes made elsewhere show within `ttlMs`; a `fresh` listing (a
 * check a write depends on) is always read anew.
 */
export function withListingCache(service: TokenService, ttlMs: number, clock: () => number): TokenService {
  const listings = new Map<string, Listing>();
  // Counts writes begun and ended: a listing fetched across a change of it may predate the write.
  let writes = 0;
  const forget = () => {
    writes += 1;
    listings.clear();
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

  return {
    async list(filter, signal) {
      const now = clock();
      for (const [key, listing] of listings) if (!isFresh(listing, now)) listings.delete(key);
      const key = filterKey(filter);
      const cached = filter.fresh ? undefined : listings.get(key);
      if (cached) return [...cached.tokens];
      const writesBefore = writes;
      const tokens = await service.list(filter, signal);
      if (writes === writesBefore) listings.set(key, { fetchedAt: now, tokens: [...tokens] });
      return tokens;
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
