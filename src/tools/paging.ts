import { LONG_LISTING, type Progress } from "./progress.js";

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

/** What a listing may be narrowed to; both read the shown token, never a hidden value. */
export interface ShownFilter<Shown> {
  mintedByAssistant?: boolean;
  matches?: (token: Shown) => boolean;
}

/**
 * The page of what is shown: `show` readies a token for the model (cleaned, marked). A filtered
 * listing shows every token before it pages; an unfiltered one shows only its page (a
 * 10,000-token account is not cleaned for 50 of them). A long listing reports its progress.
 */
export function shownPage<T, Shown extends { mintedByAssistant: boolean }>(
  all: readonly T[],
  show: (token: T) => Shown,
  filter: ShownFilter<Shown>,
  range: { offset: number; limit: number },
  progress: Progress = () => {},
): Page<Shown> {
  if (all.length < LONG_LISTING) return pageShown(all, show, filter, range);
  progress(1, 2, `Read ${all.length} tokens`);
  const page = pageShown(all, show, filter, range);
  progress(2, 2, pageSummary(page));
  return page;
}

function pageShown<T, Shown extends { mintedByAssistant: boolean }>(
  all: readonly T[],
  show: (token: T) => Shown,
  { mintedByAssistant, matches }: ShownFilter<Shown>,
  range: { offset: number; limit: number },
): Page<Shown> {
  if (mintedByAssistant === undefined && !matches) {
    const page = pageOf(all, range);
    return { ...page, tokens: page.tokens.map(show) };
  }
  const kept = all
    .map(show)
    .filter((token) => (mintedByAssistant === undefined || token.mintedByAssistant === mintedByAssistant) && (!matches || matches(token)));
  return pageOf(kept, range);
}

/** The line under a pretty or CSV page: where it is in the whole, and how to get the next. */
export function pageSummary({ tokens, total, offset, hasMore }: Page<unknown>): string {
  if (tokens.length === 0) return `No tokens on this page (${total} in all).`;
  const range = `Tokens ${offset + 1}-${offset + tokens.length} of ${total}.`;
  return hasMore ? `${range} More with offset ${offset + tokens.length}.` : range;
}
