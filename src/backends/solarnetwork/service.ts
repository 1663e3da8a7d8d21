import type { Policy, Token, TokenStatus, TokenType } from "./model.js";

/**
 * What the SolarNetwork tools need from the token API: the signed API implements it, and the key
 * refresh and the listing cache wrap it.
 */
export interface TokenService {
  /** Every token of the account matching the filter, ordered by creation. */
  list(filter: TokenFilter, signal?: AbortSignal): Promise<Token[]>;
  /** One token, or `undefined` when the account has none with this ID. */
  get(tokenId: string, signal?: AbortSignal): Promise<Token | undefined>;
  /** Mints a token. Never retried: a lost reply may still have created it. */
  create(type: TokenType, policy: Policy, signal?: AbortSignal): Promise<NewToken>;
  /** Sets both name and description; an omitted one is cleared, so pass the current value to keep it. */
  setInfo(tokenId: string, info: TokenInfo, signal?: AbortSignal): Promise<void>;
  setStatus(tokenId: string, status: TokenStatus, signal?: AbortSignal): Promise<void>;
  /** `merge` unions sets and replaces given scalars; `replace` makes `policy` the whole policy. */
  updatePolicy(tokenId: string, policy: Policy, mode: PolicyUpdateMode, signal?: AbortSignal): Promise<Token>;
  delete(tokenId: string, signal?: AbortSignal): Promise<void>;
}

export interface TokenFilter {
  type?: TokenType;
  status?: TokenStatus;
  /** Read the account now, never from a cached listing: a check a write depends on. */
  fresh?: boolean;
}

export interface TokenInfo {
  name?: string;
  description?: string;
}

export interface NewToken {
  token: Token;
  secret: string;
}

export type PolicyUpdateMode = "merge" | "replace";
