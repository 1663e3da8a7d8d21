/** One page of a list_tokens result, on every backend. */
export interface Page<T> {
  tokens: T[];
  /** Tokens matching the filter, over all pages. */
  total: number;
  offset: number;
  limit: number;
  hasMore: boolean;
}

export function pageOf<T>(matching: readonly T[], { offset, limit }: { offset: number; limit: number }): Page<T> {
  const tokens = matching.slice(offset, offset + limit);
  return { tokens, total: matching.length, offset, limit, hasMore: offset + tokens.length < matching.length };
}

/** The line under a pretty or CSV page: where it is in the whole, and how to get the next. */
export function pageSummary({ tokens, total, offset, hasMore }: Page<unknown>): string {
  if (tokens.length === 0) return `No tokens on this page (${total} in all).`;
  const range = `Tokens ${offset + 1}-${offset + tokens.length} of ${total}.`;
  return hasMore ? `${range} More with offset ${offset + tokens.length}.` : range;
}
