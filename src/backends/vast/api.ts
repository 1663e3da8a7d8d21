import { z } from "zod";
import { VastClient, vastPath, type VastQuery, type VastRequest } from "./client.js";
import { isVastError, VastError } from "./errors.js";
import { parseVastDuration } from "./expiry.js";
import { isUnreadable, readApiToken, type ApiToken } from "./wire-token.js";

export type { ApiToken } from "./wire-token.js";

/**
 * VMS's API-token endpoints as typed calls. Timestamps come back as ISO 8601 UTC strings
 * (millisecond precision). No call ever returns a secret except `create`.
 */

/** A listing: the tokens that could be read, and the IDs of those that could not. */
export interface ApiTokenListing {
  tokens: ApiToken[];
  unreadable: string[];
}

export interface ListFilter {
  owner?: string;
  /** Include revoked (archived) tokens, which the default list leaves out. */
  archived?: boolean;
  name?: string;
  ids?: readonly string[];
}

export interface CreateRequest {
  name?: string;
  /** VMS's grammar counted from creation, e.g. `30D` (see `vastDuration`). */
  expiry_date?: string;
  owner?: string;
}

export interface CreatedToken {
  id: string;
  /** The whole credential, `ID.SECRET`: shown once, never readable again. */
  token: string;
}

export interface ModifyRequest {
  name?: string;
  /** Counted from the token's creation, not from now. */
  expiry_date?: string;
}

export interface WhoAmI {
  username?: string;
  /** E.g. `SUPER_ADMIN` or `TENANT_ADMIN`. */
  userType?: string;
  tenant?: string;
}

export interface VmsCluster {
  id: string;
  /** Valid tokens per user at most; undefined: VMS's default (5). */
  maxTokensPerUser?: number;
}

export interface PasswordSettings {
  /** E.g. `180D`, as VMS gives it. */
  expirationTimeout?: string;
  /** `expirationTimeout` in ms, when it follows the expiry grammar. */
  expirationTimeoutMs?: number;
  /** When false, tokens created without an expiry never expire and there is no maximum. */
  expirationEnabled?: boolean;
}

const createdSchema = z.object({ id: z.string().min(1), token: z.string().min(1) });
const envelopeSchema = z.object({ results: z.array(z.unknown()), next: z.string().nullable().optional() });

/** An ID as VMS makes them; anything else (a whole `ID.SECRET` above all) never goes into a path. */
const TOKEN_ID = /^[A-Za-z0-9]{1,64}$/;
/** Envelope pages followed at most: a loop guard. */
const MAX_PAGES = 1000;

export class VastTokenApi {
  constructor(readonly client: VastClient) {}

  /** `GET apitokens/`, in VMS's (unspecified) order: sort client-side. A token that cannot be read is listed as unreadable. */
  async listing(filter: ListFilter = {}, signal?: AbortSignal): Promise<ApiTokenListing> {
    const query: [string, string][] = [];
    if (filter.owner !== undefined) query.push(["owner", filter.owner]);
    if (filter.archived) query.push(["archived", "true"]);
    if (filter.name !== undefined) query.push(["name", filter.name]);
    if (filter.ids !== undefined) query.push(["id__in", filter.ids.map(checkedId).join(",")]);
    const items = await this.#all({ method: "GET", path: "apitokens/", query, right: "View", signal });
    const listing: ApiTokenListing = { tokens: [], unreadable: [] };
    for (const item of items) {
      const read = readApiToken(item);
      if (isUnreadable(read)) listing.unreadable.push(read.unreadable);
      else listing.tokens.push(read);
    }
    return listing;
  }

  /** The tokens of `listing` that could be read. */
  async list(filter: ListFilter = {}, signal?: AbortSignal): Promise<ApiToken[]> {
    return (await this.listing(filter, signal)).tokens;
  }

  /** `GET apitokens/{id}/`, revoked tokens included; undefined when VMS has none (or hides it). */
  async show(id: string, signal?: AbortSignal): Promise<ApiToken | undefined> {
    try {
      const { body } = await this.client.request({ method: "GET", path: vastPath("apitokens", checkedId(id)), right: "View", signal });
      return parseToken(body);
    } catch (error) {
      if (error instanceof VastError && error.kind === "not-found" && !error.details.unknownPath) return undefined;
      throw error;
    }
  }

  /** `POST apitokens/`: sent once, never retried. The reply holds only the ID and the secret. */
  async create(request: CreateRequest, signal?: AbortSignal): Promise<CreatedToken> {
    const { body } = await this.client.request({ method: "POST", path: "apitokens/", json: request, create: true, right: "Create", signal });
    const parsed = createdSchema.safeParse(body);
    if (!parsed.success) {
      throw new VastError("bad-reply", "VMS confirmed the create but sent no token ID and secret; the token may exist without its secret.", {
        mayHaveApplied: true,
      });
    }
    return { id: parsed.data.id, token: parsed.data.token };
  }

  /** `PATCH apitokens/{id}/`. VMS replies with a text, not the token: re-read it with `show`. */
  async modify(id: string, changes: ModifyRequest, signal?: AbortSignal): Promise<void> {
    if (changes.name === undefined && changes.expiry_date === undefined) throw new Error("modify needs a name or an expiry_date");
    await this.client.request({ method: "PATCH", path: vastPath("apitokens", checkedId(id)), json: changes, right: "Edit", signal });
  }

  /** `PATCH apitokens/{id}/revoke/`, no body. Terminal and idempotent: repeating it succeeds. */
  async revoke(id: string, signal?: AbortSignal): Promise<void> {
    await this.client.request({ method: "PATCH", path: vastPath("apitokens", checkedId(id), "revoke"), right: "Delete", signal });
  }

  /**
   * Who the credential is, from `login/`; undefined when VMS will not say. A 401 there is tolerated
   * too: `login/` may serve only password logins, and a bad credential fails the caller's next request anyway.
   */
  async whoAmI(signal?: AbortSignal): Promise<WhoAmI | undefined> {
    let body: unknown;
    try {
      body = await this.#tolerated({ method: "GET", path: "login/", signal });
    } catch (error) {
      if (!isVastError(error, "unauthorized")) throw error;
      return undefined;
    }
    if (body === null || typeof body !== "object") return undefined;
    const { username, user_type: userType, tenant } = body as Record<string, unknown>;
    const tenantName = typeof tenant === "string" ? tenant : stringField(tenant, "name");
    return {
      username: typeof username === "string" ? username : undefined,
      userType: typeof userType === "string" ? userType : undefined,
      tenant: tenantName,
    };
  }

  /** The cluster (`GET vms/`, its first entry) and its cap of valid tokens per user; undefined when VMS will not say. */
  async cluster(signal?: AbortSignal): Promise<VmsCluster | undefined> {
    const vms = await this.#vms(signal);
    if (vms === undefined) return undefined;
    const max = vms.max_api_tokens_per_user;
    const id = typeof vms.id === "number" || typeof vms.id === "string" ? String(vms.id) : "1";
    return { id, maxTokensPerUser: typeof max === "number" && Number.isInteger(max) && max >= 0 ? max : undefined };
  }

  /** `GET vms/{id}/pwd_settings/`: the longest (and default) token lifetime; undefined when VMS will not say. */
  async pwdSettings(cluster: VmsCluster, signal?: AbortSignal): Promise<PasswordSettings | undefined> {
    const body = await this.#tolerated({ method: "GET", path: vastPath("vms", cluster.id, "pwd_settings"), signal });
    if (body === null || typeof body !== "object") return undefined;
    const { pwd_expiration_timeout: timeout, pwd_expiration_timeout_enabled: enabled } = body as Record<string, unknown>;
    const expirationTimeout = typeof timeout === "string" ? timeout : undefined;
    return {
      expirationTimeout,
      expirationTimeoutMs: expirationTimeout === undefined ? undefined : parseVastDuration(expirationTimeout),
      expirationEnabled: typeof enabled === "boolean" ? enabled : undefined,
    };
  }

  async #vms(signal: AbortSignal | undefined): Promise<Record<string, unknown> | undefined> {
    let items: unknown[];
    try {
      items = await this.#all({ method: "GET", path: "vms/", signal });
    } catch (error) {
      if (isDenial(error)) return undefined;
      throw error;
    }
    const [first] = items;
    return first !== null && typeof first === "object" ? (first as Record<string, unknown>) : undefined;
  }

  /** A GET whose denial (403 after the credential check, 404) means "VMS will not say". */
  async #tolerated(request: VastRequest): Promise<unknown> {
    try {
      return (await this.client.request(request)).body;
    } catch (error) {
      if (isDenial(error)) return undefined;
      throw error;
    }
  }

  /** A list as a bare array, or a DRF envelope whose `next` pages are followed to the end. */
  async #all(request: VastRequest): Promise<unknown[]> {
    const items: unknown[] = [];
    let next: Pick<VastRequest, "path" | "query"> | undefined = request;
    for (let page = 0; next; page++) {
      if (page >= MAX_PAGES) throw new VastError("bad-reply", "VMS kept sending further pages.");
      const { body } = await this.client.request({ ...request, path: next.path, query: next.query as VastQuery });
      if (Array.isArray(body)) return page === 0 ? body : badReply();
      const envelope = envelopeSchema.safeParse(body);
      if (!envelope.success) badReply();
      items.push(...envelope.data.results);
      next = envelope.data.next ? this.client.nextPage(envelope.data.next) : undefined;
    }
    return items;
  }
}

function isDenial(error: unknown): boolean {
  return error instanceof VastError && (error.kind === "forbidden" || (error.kind === "not-found"));
}

function checkedId(id: string): string {
  if (!TOKEN_ID.test(id)) throw new VastError("validation", "A VMS token ID is letters and digits only (8 of them, e.g. JhxND7ci), never the whole ID.SECRET.");
  return id;
}

function parseToken(value: unknown): ApiToken {
  const read = readApiToken(value);
  return isUnreadable(read) ? badReply() : read;
}

function badReply(): never {
  throw new VastError("bad-reply", "VMS sent an API token reply this server cannot read.");
}

function stringField(value: unknown, name: string): string | undefined {
  if (value === null || typeof value !== "object") return undefined;
  const field = (value as Record<string, unknown>)[name];
  return typeof field === "string" ? field : undefined;
}
