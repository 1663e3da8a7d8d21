import { RESTRICTION_FIELDS, type Policy, type Token, type TokenPolicy } from "./model.js";
import { isFindReply, isWireToken, type WirePolicy, type WireToken } from "./wire.js";
import type { NewToken, PolicyUpdateMode, TokenFilter, TokenInfo, TokenService } from "./service.js";
import type { SolarNetworkClient } from "./client.js";
import { SolarNetworkError } from "./errors.js";

/** SolarNetwork's security-token API (`/solaruser/api/v1/sec/user/auth-tokens`) as a TokenService. */

export const TOKENS_PATH = "/solaruser/api/v1/sec/user/auth-tokens";

export class SolarNetworkTokenService implements TokenService {
  constructor(private readonly client: SolarNetworkClient) {}

  async list(filter: TokenFilter, signal?: AbortSignal): Promise<Token[]> {
    const query: [string, string][] = [];
    if (filter.status) query.push(["active", String(filter.status === "Active")]);
    if (filter.type) query.push(["tokenTypes", filter.type]);
    return this.#find(query, signal);
  }

  async get(tokenId: string, signal?: AbortSignal): Promise<Token | undefined> {
    const found = await this.#find([["identifiers", tokenId]], signal);
    return found.find((token) => token.id === tokenId);
  }

  async create(type: Token["type"], policy: Policy, signal?: AbortSignal): Promise<NewToken> {
    const data = await this.client.call({
      method: "POST",
      path: `${TOKENS_PATH}/generate/${type}`,
      json: Object.keys(policy).length > 0 ? policy : undefined,
      signal,
    });
    // A reply to a create that cannot be read still means a token may exist: it is looked for and ended.
    if (!isWireToken(data)) {
      throw new SolarNetworkError("bad-reply", "SolarNetwork's reply to a create did not have the expected shape.", { mayHaveApplied: true });
    }
    if (!data.authSecret) {
      throw new SolarNetworkError("bad-reply", "SolarNetwork created a token but its reply held no secret.", {
        mayHaveApplied: true,
      });
    }
    return { token: toToken(data), secret: data.authSecret };
  }

  async setInfo(tokenId: string, info: TokenInfo, signal?: AbortSignal): Promise<void> {
    const form: [string, string][] = [["tokenId", tokenId]];
    if (info.name) form.push(["name", info.name]);
    if (info.description) form.push(["description", info.description]);
    await this.client.call({ method: "POST", path: `${TOKENS_PATH}/info`, form, signal });
  }

  async setStatus(tokenId: string, status: Token["status"], signal?: AbortSignal): Promise<void> {
    await this.client.call({
      method: "POST",
      path: `${TOKENS_PATH}/status`,
      form: [
        ["tokenId", tokenId],
        ["status", status],
      ],
      signal,
    });
  }

  async updatePolicy(tokenId: string, policy: Policy, mode: PolicyUpdateMode, signal?: AbortSignal): Promise<Token> {
    const data = await this.client.call({
      method: mode === "merge" ? "PATCH" : "PUT",
      path: `${TOKENS_PATH}/policy`,
      query: [["tokenId", tokenId]],
      json: policy,
      signal,
    });
    return toToken(checked(isWireToken, data));
  }

  async delete(tokenId: string, signal?: AbortSignal): Promise<void> {
    await this.client.call({ method: "DELETE", path: TOKENS_PATH, query: [["tokenId", tokenId]], signal });
  }

  async #find(query: [string, string][], signal: AbortSignal | undefined): Promise<Token[]> {
    const data = await this.client.call({ method: "GET", path: `${TOKENS_PATH}/find`, query, signal });
    const { results } = checked(isFindReply, data ?? {});
    // /find orders by token ID; people (and the root listing) expect creation order.
    return inCreationOrder((results ?? []).map(toToken));
  }
}

function checked<T>(check: (value: unknown) => value is T, data: unknown): T {
  if (!check(data)) throw new SolarNetworkError("bad-reply", "SolarNetwork's reply did not have the expected shape.");
  return data;
}

/** SolarNetwork writes `2025-09-29 04:23:20.302916611Z`; we return ISO 8601 (`...T04:23:20.302916611Z`). */
export function isoCreated(created: string | number): string {
  if (typeof created === "number") return new Date(created).toISOString();
  if (!SOLARNETWORK_TIME.test(created)) {
    const parsed = Date.parse(created);
    return Number.isFinite(parsed) ? new Date(parsed).toISOString() : created;
  }
  return created[10] === "T" ? created : `${created.slice(0, 10)}T${created.slice(11)}`;
}

const SOLARNETWORK_TIME = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(?:\.\d+)?Z$/;

function inCreationOrder(tokens: Token[]): Token[] {
  // Each timestamp parsed once, not once per comparison.
  return tokens
    .map((token) => ({ token, time: Date.parse(token.created) }))
    .sort((a, b) => a.time - b.time || compare(a.token.created, b.token.created) || compare(a.token.id, b.token.id))
    .map(({ token }) => token);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function toToken(wire: WireToken): Token {
  const token: Token = {
    id: wire.id,
    created: isoCreated(wire.created),
    userId: wire.userId,
    status: wire.status,
    type: wire.type,
    expired: wire.expired ?? false,
  };
  if (wire.name) token.name = wire.name;
  if (wire.description) token.description = wire.description;
  if (wire.policy) {
    const policy = toPolicy(wire.policy);
    if (Object.keys(policy).length > 0) token.policy = policy;
  }
  return token;
}

function toPolicy(wire: WirePolicy): TokenPolicy {
  const policy: TokenPolicy = {};
  for (const key of RESTRICTION_FIELDS) {
    const value = wire[key];
    if (value !== undefined && !(Array.isArray(value) && value.length === 0)) {
      (policy as Record<string, unknown>)[key] = value;
    }
  }
  if (wire.notAfter !== undefined) policy.notAfter = new Date(wire.notAfter).toISOString();
  if (wire.refreshAllowed !== undefined) policy.refreshAllowed = wire.refreshAllowed;
  return policy;
}

/** SolarQuery's signing-key refresh: signed with the current key, answers the key for `date`. */
export const REFRESH_PATH = "/solarquery/api/v1/sec/auth-tokens/refresh/v2";

/** Fetches, through the signed client, the signing key for a `YYYY-MM-DD` date (hex). */
export function refreshThrough(client: Pick<SolarNetworkClient, "call">): (date: string, signal?: AbortSignal) => Promise<string> {
  return async (date, signal) => {
    const data = await client.call<{ key?: unknown }>({ method: "GET", path: REFRESH_PATH, query: [["date", date]], signal });
    const key = data?.key;
    if (typeof key !== "string" || !/^[0-9a-fA-F]{64}$/.test(key)) {
      throw new SolarNetworkError("bad-reply", "SolarNetwork's signing-key refresh reply holds no key.");
    }
    return key;
  };
}
