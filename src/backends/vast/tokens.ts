import { z } from "zod";
import { ToolError } from "../../core/errors.js";
import { sanitizeText } from "../../safety/sanitize.js";
import type { ApiToken, PasswordSettings, VastTokenApi, VmsCluster } from "./api.js";
import type { VastCredential } from "./config.js";

/**
 * VAST VMS API tokens as the tools see them. A VMS token has no scope of its own (it carries its
 * owner's permissions), no description, no disable and no delete: it ends by a terminal revoke or
 * by expiring, and its expiry is set as a duration counted from its creation.
 */

export const VAST_TOKEN_STATUSES = ["Active", "Expired", "Revoked"] as const;
export type VastTokenStatus = (typeof VAST_TOKEN_STATUSES)[number];

export const vastTokenSchema = z.object({
  id: z.string().describe("The 8-character token ID"),
  name: z.string().optional().describe("Absent: VMS did not say"),
  owner: z.string().optional().describe("The VMS manager whose permissions the token carries; absent: VMS did not say"),
  created: z.string().describe("ISO 8601 UTC"),
  expires: z.string().optional().describe("ISO 8601 UTC; absent: never expires"),
  lastUsed: z.string().optional().describe("Last authentication with it, ISO 8601 UTC"),
  status: z.enum(VAST_TOKEN_STATUSES).describe("Expired: past its expiry; Revoked: ended for good"),
  revoked: z.string().optional().describe("When it was revoked, ISO 8601 UTC"),
});
export type VastToken = z.infer<typeof vastTokenSchema>;

export interface VastTokenFilter {
  owner?: string;
  /** Revoked tokens are archived by VMS and left out unless asked for. */
  includeRevoked: boolean;
}

export interface VastCreateRequest {
  name: string;
  /** Omitted: the credential's own user. */
  owner?: string;
  /** VMS duration from creation, e.g. `180D`; omitted: the cluster's default. */
  expiry?: string;
}

/** A listing as the tools show it: the tokens VMS sent that could be read, and what to say about the rest. */
export interface VastListing {
  tokens: VastToken[];
  /** IDs of listed tokens that could not be read (left out of `tokens`). */
  unreadable: string[];
  /** What a person should know about how the listing was read. */
  notes: string[];
}

/** VMS's default cap on valid tokens per user, used when the cluster will not say. */
export const DEFAULT_MAX_TOKENS_PER_USER = 5;

/** What the VAST tools need from VMS; the transport (auth, errors, retries) is below it. */
export interface VastTokens {
  /** Owners besides the credential's own user whose tokens may be created here (VAST_ALLOWED_OWNERS). */
  readonly allowedOwners: readonly string[];
  /** The user name of the server's own credential. */
  ownUser(signal?: AbortSignal): Promise<string>;
  /** Tokens matching the filter, in creation order; one that cannot be read is left out. */
  list(filter: VastTokenFilter, signal?: AbortSignal): Promise<VastToken[]>;
  /** As `list`, saying which tokens could not be read and how times were read. */
  listing(filter: VastTokenFilter, signal?: AbortSignal): Promise<VastListing>;
  /** One token (revoked ones included), or undefined when VMS has none with this ID. */
  get(tokenId: string, signal?: AbortSignal): Promise<VastToken | undefined>;
  /** Mints a token; never retried. The secret is the whole `ID.SECRET`. */
  create(request: VastCreateRequest, signal?: AbortSignal): Promise<{ id: string; secret: string }>;
  modify(tokenId: string, change: { name?: string; expiry?: string }, signal?: AbortSignal): Promise<void>;
  /** Terminal and idempotent. */
  revoke(tokenId: string, signal?: AbortSignal): Promise<void>;
  /** The cluster's cap on valid tokens per user. */
  maxTokensPerUser(signal?: AbortSignal): Promise<number>;
  /** The longest lifetime the cluster allows a token (its password expiration timeout); undefined: no maximum or unreadable. */
  maxLifetimeMs(signal?: AbortSignal): Promise<number | undefined>;
}

const CLUSTER_SETTINGS_TTL_MS = 60_000;

/** VMS reports `revoked` and `expiry_date`; Expired is computed, as VMS keeps no such state. */
export function vastStatus(revoked: boolean, expires: string | undefined, now: number): VastTokenStatus {
  if (revoked) return "Revoked";
  return expires !== undefined && Date.parse(expires) <= now ? "Expired" : "Active";
}

/** `VastTokens` over VMS's API-token endpoints. */
export class VmsTokens implements VastTokens {
  #ownUser: string | undefined;
  // The cluster's settings, read again once a minute old: an administrator's change applies within that.
  readonly #clusterSettings = new Remembered<VmsCluster | undefined>(CLUSTER_SETTINGS_TTL_MS, () => this.now());
  readonly #password = new Remembered<PasswordSettings | undefined>(CLUSTER_SETTINGS_TTL_MS, () => this.now());

  constructor(
    private readonly api: VastTokenApi,
    private readonly credential: VastCredential,
    readonly allowedOwners: readonly string[],
    private readonly now: () => number,
  ) {}

  async ownUser(signal?: AbortSignal): Promise<string> {
    if (this.credential.kind === "password") return this.credential.username;
    this.#ownUser ??= (await this.api.whoAmI(signal))?.username ?? (await this.api.show(this.credential.tokenId, signal))?.owner;
    if (this.#ownUser === undefined) {
      throw new ToolError("VMS will not say which user this server's API token (VAST_API_TOKEN) belongs to, so no token can be created; the operator should check the credential.");
    }
    return this.#ownUser;
  }

  async list(filter: VastTokenFilter, signal?: AbortSignal): Promise<VastToken[]> {
    return (await this.listing(filter, signal)).tokens;
  }

  async listing(filter: VastTokenFilter, signal?: AbortSignal): Promise<VastListing> {
    const { tokens, unreadable } = await this.api.listing({ owner: filter.owner, archived: filter.includeRevoked }, signal);
    const zoneless = tokens.filter((token) => token.expiryReadAsUtc).map((token) => sanitizeText(token.id, 16));
    return {
      tokens: tokens.map((token) => this.#shown(token)).sort((a, b) => Date.parse(a.created) - Date.parse(b.created)),
      unreadable,
      notes: [
        ...(unreadable.length === 0 ? [] : [`VMS listed ${unreadable.length === 1 ? "a token" : `${unreadable.length} tokens`} this server cannot read, left out here: ${unreadable.join(", ")}.`]),
        ...(zoneless.length === 0 ? [] : [`VMS sent the expiry of ${zoneless.join(", ")} without a time zone: read as UTC, as VMS documents expiry ("creation date in UTC + period").`]),
      ],
    };
  }

  async get(tokenId: string, signal?: AbortSignal): Promise<VastToken | undefined> {
    const token = await this.api.show(tokenId, signal);
    return token && this.#shown(token);
  }

  async create(request: VastCreateRequest, signal?: AbortSignal): Promise<{ id: string; secret: string }> {
    const created = await this.api.create({ name: request.name, owner: request.owner, expiry_date: request.expiry }, signal);
    return { id: created.id, secret: created.token };
  }

  modify(tokenId: string, change: { name?: string; expiry?: string }, signal?: AbortSignal): Promise<void> {
    return this.api.modify(tokenId, { name: change.name, expiry_date: change.expiry }, signal);
  }

  revoke(tokenId: string, signal?: AbortSignal): Promise<void> {
    return this.api.revoke(tokenId, signal);
  }

  async maxTokensPerUser(signal?: AbortSignal): Promise<number> {
    return (await this.#cluster(signal))?.maxTokensPerUser ?? DEFAULT_MAX_TOKENS_PER_USER;
  }

  async maxLifetimeMs(signal?: AbortSignal): Promise<number | undefined> {
    const cluster = await this.#cluster(signal);
    const password = cluster && (await this.#password.read(() => this.api.pwdSettings(cluster, signal)));
    return password?.expirationEnabled === false ? undefined : password?.expirationTimeoutMs;
  }

  #cluster(signal: AbortSignal | undefined): Promise<VmsCluster | undefined> {
    return this.#clusterSettings.read(() => this.api.cluster(signal));
  }

  #shown(token: ApiToken): VastToken {
    return {
      id: token.id,
      ...(token.name === undefined ? {} : { name: token.name }),
      ...(token.owner === undefined ? {} : { owner: token.owner }),
      created: token.created,
      ...(token.expiryDate === null ? {} : { expires: token.expiryDate }),
      ...(token.lastUsed === null ? {} : { lastUsed: token.lastUsed }),
      status: vastStatus(token.revoked, token.expiryDate ?? undefined, this.now()),
      ...(token.revocationTime === null ? {} : { revoked: token.revocationTime }),
    };
  }
}

/** A value read at most once per `ttlMs` (by the clock; a clock gone back reads anew); a failed read is not kept. */
class Remembered<T> {
  #kept: { at: number; value: T } | undefined;

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number,
  ) {}

  async read(fetch: () => Promise<T>): Promise<T> {
    const age = this.#kept === undefined ? undefined : this.now() - this.#kept.at;
    if (this.#kept && age !== undefined && age >= 0 && age < this.ttlMs) return this.#kept.value;
    const value = await fetch();
    this.#kept = { at: this.now(), value };
    return value;
  }
}
