import { createHmac, timingSafeEqual } from "node:crypto";
import { vmsDurationMs } from "./duration.js";
import type { SecurityRight } from "../../backends/vast/errors.js";
import { withOddities, type VmsOddities } from "./oddities.js";
import { newTokenId, randomAlphanumeric, type VmsState, type VmsToken, type VmsUser } from "./state.js";

/**
 * VMS's API-token endpoints as a function of a request and the state, answering the way VMS does
 * (see docs/vast-api.md): bare-array lists, string replies to modify and revoke, 403 for both bad
 * credentials and RBAC denials, a 503 at the per-user cap, HTML for unknown URLs.
 */

export interface VmsRequest {
  method: string;
  /** Raw path, without the query. */
  path: string;
  query: URLSearchParams;
  /** Lower-case names. */
  headers: ReadonlyMap<string, string>;
  body: Buffer;
}

export interface VmsReply {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** The state changed: a file-backed simulator saves it. */
  changed?: boolean;
}

export interface VmsContext {
  state: VmsState;
  now: number;
  /** Signs and checks the simulator's JWTs. */
  jwtKey: Buffer;
  accessLifetimeMs: number;
  refreshLifetimeMs: number;
  /** VMS's schema variant in which even one's own tokens need the Security realm rights. */
  ownTokensNeedRights: boolean;
  /** VMS's possible reading that `login/` serves only password and session logins: 401 to an API token. */
  loginRefusesApiTokens: boolean;
  /** Odd but schema-valid token JSON, switched on by tests. */
  oddities: VmsOddities;
  /** RBAC denials without `code: permission_denied`, only DRF's text: the client must probe the credential. */
  denialsWithoutCode: boolean;
}

const JSON_TYPE = "application/json";
const VERSION = /^(latest|v\d+)$/;
const NAME_LIMIT = 50;

const json = (status: number, value: unknown, changed = false): VmsReply => ({
  status,
  headers: { "Content-Type": JSON_TYPE },
  body: JSON.stringify(value),
  changed,
});
const detail = (status: number, text: string) => json(status, { detail: text });
/** An RBAC denial: DRF's PermissionDenied, whose code VAST's Go client looks for (vast-sources.md §2, point 15). */
const denied = (ctx: Pick<VmsContext, "denialsWithoutCode">) =>
  json(403, { detail: "You do not have permission to perform this action.", ...(ctx.denialsWithoutCode ? {} : { code: "permission_denied" }) });
const NOT_FOUND_HTML: VmsReply = {
  status: 404,
  headers: { "Content-Type": "text/html; charset=utf-8" },
  body: "<!doctype html>\n<html><head><title>Not Found</title></head><body><h1>Not Found</h1><p>The requested resource was not found on this server.</p></body></html>\n",
};

type Route =
  | { name: "tokens" }
  | { name: "token"; id: string }
  | { name: "revoke"; id: string }
  | { name: "login" }
  | { name: "jwt" }
  | { name: "jwt-refresh" }
  | { name: "vms-list" }
  | { name: "vms"; id: string }
  | { name: "pwd-settings"; id: string };

const METHODS: Record<Route["name"], readonly string[]> = {
  tokens: ["GET", "POST"],
  token: ["GET", "PATCH"],
  revoke: ["PATCH"],
  login: ["GET"],
  jwt: ["POST"],
  "jwt-refresh": ["POST"],
  "vms-list": ["GET"],
  vms: ["GET"],
  "pwd-settings": ["GET"],
};

export function handleVmsRequest(request: VmsRequest, ctx: VmsContext): VmsReply {
  if (!request.path.startsWith("/api/")) return NOT_FOUND_HTML;
  if (!request.path.endsWith("/")) {
    const query = request.query.toString();
    return { status: 301, headers: { Location: `${request.path}/${query ? `?${query}` : ""}`, "Content-Length": "0" }, body: "" };
  }
  const [version, ...segments] = request.path.slice("/api/".length, -1).split("/").map(safeDecode);
  const route = version !== undefined && VERSION.test(version) ? matchRoute(segments) : undefined;
  if (!route) return NOT_FOUND_HTML;
  if (!METHODS[route.name].includes(request.method)) return detail(405, `Method "${request.method}" not allowed.`);
  if (route.name === "jwt") return logIn(request, ctx);
  if (route.name === "jwt-refresh") return refreshSession(request, ctx);

  const actor = authenticate(request, ctx);
  if ("status" in actor) return actor;
  const user = actor.user;
  switch (route.name) {
    case "tokens":
      return request.method === "GET" ? listTokens(request, ctx, user) : createToken(request, ctx, user);
    case "token":
      return request.method === "GET" ? showToken(route.id, ctx, user) : modifyToken(route.id, request, ctx, user);
    case "revoke":
      return revokeToken(route.id, ctx, user);
    case "login":
      if (ctx.loginRefusesApiTokens && request.headers.get("authorization")?.startsWith("Api-Token ")) {
        return json(401, { detail: "Authentication credentials were not provided." });
      }
      return json(200, { username: user.username, user_type: user.userType, tenant: user.tenant ?? null });
    case "vms-list":
      return user.readsSettings ? json(200, [vmsJson(ctx)]) : denied(ctx);
    case "vms":
      if (route.id !== "1") return detail(404, "Not found.");
      return user.readsSettings ? json(200, vmsJson(ctx)) : denied(ctx);
    case "pwd-settings":
      if (route.id !== "1") return detail(404, "Not found.");
      if (!user.readsSettings) return denied(ctx);
      return json(200, {
        pwd_expiration_timeout: ctx.state.settings.pwdExpirationTimeout,
        pwd_expiration_timeout_enabled: ctx.state.settings.pwdExpirationTimeoutEnabled,
      });
  }
}

function matchRoute(segments: (string | undefined)[]): Route | undefined {
  const [first, second, third, ...rest] = segments;
  if (rest.length > 0 || segments.some((segment) => segment === undefined || segment === "")) return undefined;
  if (first === "apitokens") {
    if (second === undefined) return { name: "tokens" };
    if (third === undefined) return { name: "token", id: second };
    return third === "revoke" ? { name: "revoke", id: second } : undefined;
  }
  if (first === "token" && third === undefined) {
    if (second === undefined) return { name: "jwt" };
    return second === "refresh" ? { name: "jwt-refresh" } : undefined;
  }
  if (first === "login" && second === undefined) return { name: "login" };
  if (first === "vms") {
    if (second === undefined) return { name: "vms-list" };
    if (third === undefined) return { name: "vms", id: second };
    return third === "pwd_settings" ? { name: "pwd-settings", id: second } : undefined;
  }
  return undefined;
}

function safeDecode(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

// --- Authentication -------------------------------------------------------------------------------

function authenticate(request: VmsRequest, ctx: VmsContext): { user: VmsUser } | VmsReply {
  const header = request.headers.get("authorization");
  if (!header) return detail(403, "Authentication credentials were not provided.");
  const space = header.indexOf(" ");
  const scheme = space < 0 ? header : header.slice(0, space);
  const value = space < 0 ? "" : header.slice(space + 1);
  let user: VmsUser | undefined;
  if (scheme === "Api-Token") {
    const [id, secret] = value.split(".");
    const token = ctx.state.tokens.find((candidate) => candidate.id === id);
    if (!token || secret === undefined || !sameText(token.secret, secret) || !isValid(token, ctx.now)) {
      return detail(403, "Invalid API token.");
    }
    user = findUser(ctx, token.owner);
    if (user) token.lastUsed = ctx.now;
  } else if (scheme === "Basic") {
    const decoded = Buffer.from(value, "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    const candidate = colon < 0 ? undefined : findUser(ctx, decoded.slice(0, colon));
    if (candidate && sameText(candidate.password, decoded.slice(colon + 1))) user = candidate;
    if (!user) return detail(403, "Invalid username/password.");
  } else if (scheme === "Bearer") {
    const claims = verifyJwt(value, "access", ctx);
    user = claims && findUser(ctx, claims.sub);
    // VMS answers a bad JWT with 403, as vast-csi sees it (vast-sources.md §4.5).
    if (!user) return json(403, { detail: "Given token not valid for any token type", code: "token_not_valid", messages: [{ message: "Token is invalid or expired" }] });
  } else {
    return detail(403, "Authentication credentials were not provided.");
  }
  if (!user) return detail(403, "Invalid API token.");
  const tenantRefusal = checkTenant(request, user);
  return tenantRefusal ?? { user };
}

/** A tenant admin logs in to their tenant's VMS: the header must name it. Cluster admins' is ignored. */
function checkTenant(request: VmsRequest, user: VmsUser): VmsReply | undefined {
  if (user.userType !== "TENANT_ADMIN") return undefined;
  const tenant = request.headers.get("x-tenant-name");
  return tenant === user.tenant ? undefined : detail(403, "Tenant admins must name their tenant in X-Tenant-Name.");
}

function logIn(request: VmsRequest, ctx: VmsContext): VmsReply {
  const body = readJson(request);
  if ("status" in body) return body;
  const { username, password } = body.value as { username?: unknown; password?: unknown };
  const user = typeof username === "string" ? findUser(ctx, username) : undefined;
  if (!user || typeof password !== "string" || !sameText(user.password, password)) {
    return detail(401, "No active account found with the given credentials");
  }
  const tenantRefusal = checkTenant(request, user);
  if (tenantRefusal) return detail(401, "No active account found with the given credentials");
  return json(200, issueSession(user, ctx));
}

function refreshSession(request: VmsRequest, ctx: VmsContext): VmsReply {
  const body = readJson(request);
  if ("status" in body) return body;
  const { refresh } = body.value as { refresh?: unknown };
  const claims = typeof refresh === "string" ? verifyJwt(refresh, "refresh", ctx) : undefined;
  const user = claims && findUser(ctx, claims.sub);
  if (!user) return json(401, { detail: "Token is invalid or expired", code: "token_not_valid" });
  return json(200, issueSession(user, ctx));
}

function issueSession(user: VmsUser, ctx: VmsContext): { access: string; refresh: string } {
  return {
    access: signJwt({ sub: user.username, token_type: "access", exp: Math.floor((ctx.now + ctx.accessLifetimeMs) / 1000) }, ctx),
    refresh: signJwt({ sub: user.username, token_type: "refresh", exp: Math.floor((ctx.now + ctx.refreshLifetimeMs) / 1000) }, ctx),
  };
}

interface Claims {
  sub: string;
  token_type: "access" | "refresh";
  /** Epoch seconds. */
  exp: number;
}

function signJwt(claims: Claims, ctx: VmsContext): string {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
  const unsigned = `${encode({ alg: "HS256", typ: "JWT" })}.${encode({ ...claims, jti: randomAlphanumeric(16) })}`;
  return `${unsigned}.${createHmac("sha256", ctx.jwtKey).update(unsigned).digest("base64url")}`;
}

function verifyJwt(jwt: string, type: Claims["token_type"], ctx: VmsContext): Claims | undefined {
  const [header, payload, signature] = jwt.split(".");
  if (!header || !payload || signature === undefined) return undefined;
  const expected = createHmac("sha256", ctx.jwtKey).update(`${header}.${payload}`).digest("base64url");
  if (!sameText(expected, signature)) return undefined;
  const claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as Claims;
  return claims.token_type === type && claims.exp * 1000 > ctx.now ? claims : undefined;
}

function sameText(expected: string, given: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

// --- Tokens ---------------------------------------------------------------------------------------

function listTokens(request: VmsRequest, ctx: VmsContext, user: VmsUser): VmsReply {
  const owner = request.query.get("owner");
  const name = request.query.get("name");
  const ids = request.query.get("id__in")?.split(",");
  const archived = request.query.get("archived") === "true";
  const tokens = ctx.state.tokens.filter(
    (token) =>
      canSee(user, token, ctx) &&
      (archived || !token.revoked) &&
      (owner === null || token.owner === owner) &&
      (name === null || token.name === name) &&
      (ids === undefined || ids.includes(token.id)),
  );
  return json(200, tokens.map((token) => withOddities(tokenJson(token), ctx.oddities)));
}

function showToken(id: string, ctx: VmsContext, user: VmsUser): VmsReply {
  const token = ctx.state.tokens.find((candidate) => candidate.id === id);
  return token && canSee(user, token, ctx) ? json(200, withOddities(tokenJson(token), ctx.oddities)) : detail(404, "Not found.");
}

function createToken(request: VmsRequest, ctx: VmsContext, user: VmsUser): VmsReply {
  const body = readJson(request);
  if ("status" in body) return body;
  if (body.value === null || typeof body.value !== "object" || Array.isArray(body.value)) return detail(400, "Invalid data. Expected a dictionary.");
  const { name, expiry_date: expiry, owner: ownerName } = body.value as Record<string, unknown>;
  if (ownerName !== undefined && typeof ownerName !== "string") return json(400, { owner: ["Not a valid string."] });
  const owner = ownerName === undefined ? user : findUser(ctx, ownerName);
  if (!owner) return json(400, { owner: ["User does not exist."] });
  if (!mayAct(user, owner, "Create", ctx)) return denied(ctx);
  const nameError = checkName(name);
  if (nameError) return nameError;
  const created = ctx.now;
  const expiryAt = expiryFrom(expiry, created, ctx, true);
  if (typeof expiryAt === "object" && expiryAt !== null) return expiryAt;
  const valid = ctx.state.tokens.filter((token) => token.owner === owner.username && isValid(token, ctx.now)).length;
  if (valid >= ctx.state.settings.maxApiTokensPerUser) return detail(503, "Service Unavailable - Max allowed API tokens reached");
  const token: VmsToken = {
    id: newTokenId(ctx.state),
    secret: randomAlphanumeric(32),
    name: typeof name === "string" ? name : `${owner.username}_api_token`,
    owner: owner.username,
    created,
    expiry: expiryAt,
    lastUsed: null,
    revoked: false,
    revocationTime: null,
  };
  ctx.state.tokens.push(token);
  return json(201, { id: token.id, token: `${token.id}.${token.secret}` }, true);
}

function modifyToken(id: string, request: VmsRequest, ctx: VmsContext, user: VmsUser): VmsReply {
  const token = ctx.state.tokens.find((candidate) => candidate.id === id);
  if (!token || !canSee(user, token, ctx)) return json(404, "API key not found");
  if (!mayAct(user, findUser(ctx, token.owner), "Edit", ctx)) return denied(ctx);
  const body = readJson(request);
  if ("status" in body) return body;
  const { name, expiry_date: expiry } = (body.value ?? {}) as Record<string, unknown>;
  const nameError = name === undefined ? undefined : checkName(name);
  if (nameError) return nameError;
  const expiryAt = expiry === undefined ? token.expiry : expiryFrom(expiry, token.created, ctx, false);
  if (typeof expiryAt === "object" && expiryAt !== null) return expiryAt;
  if (typeof name === "string") token.name = name;
  token.expiry = expiryAt;
  return json(200, "API token has been modified", true);
}

function revokeToken(id: string, ctx: VmsContext, user: VmsUser): VmsReply {
  const token = ctx.state.tokens.find((candidate) => candidate.id === id);
  if (!token || !canSee(user, token, ctx)) return detail(404, "Api token not found");
  if (!mayAct(user, findUser(ctx, token.owner), "Delete", ctx)) return denied(ctx);
  const changed = !token.revoked;
  if (changed) {
    token.revoked = true;
    token.revocationTime = ctx.now;
  }
  return json(200, "API token has been revoked", changed);
}

function checkName(name: unknown): VmsReply | undefined {
  if (name === undefined) return undefined;
  if (typeof name !== "string") return json(400, { name: ["Not a valid string."] });
  if (name.trim() === "") return json(400, { name: ["This field may not be blank."] });
  if (name.length > NAME_LIMIT) return json(400, { name: [`Ensure this field has no more than ${NAME_LIMIT} characters.`] });
  return undefined;
}

/** The expiry instant for `value` counted from `created`; on create, none gives the default. */
function expiryFrom(value: unknown, created: number, ctx: VmsContext, creating: boolean): number | null | VmsReply {
  const { pwdExpirationTimeout, pwdExpirationTimeoutEnabled } = ctx.state.settings;
  const maxMs = pwdExpirationTimeoutEnabled ? vmsDurationMs(pwdExpirationTimeout) : undefined;
  if (value === undefined && creating) return maxMs === undefined ? null : created + maxMs;
  if (value === null) return json(400, { expiry_date: ["This field may not be null."] });
  const ms = typeof value === "string" ? vmsDurationMs(value) : undefined;
  if (ms === undefined) return detail(400, "Invalid expiry date format. Use a whole number followed by Y, M, w, d, h, m or s.");
  if (maxMs !== undefined && ms > maxMs) return detail(400, `Expiry date exceeds the maximum of ${pwdExpirationTimeout}.`);
  return created + ms;
}

function isValid(token: VmsToken, now: number): boolean {
  return !token.revoked && (token.expiry === null || token.expiry > now);
}

function findUser(ctx: VmsContext, username: string): VmsUser | undefined {
  return ctx.state.users.find((user) => user.username === username);
}

/** One's own tokens are always seen; others' with View, within the viewer's tenant for a tenant admin. */
function canSee(user: VmsUser, token: VmsToken, ctx: VmsContext): boolean {
  if (token.owner === user.username) return true;
  const owner = findUser(ctx, token.owner);
  return user.rights.includes("View") && sameScope(user, owner);
}

function mayAct(user: VmsUser, owner: VmsUser | undefined, right: SecurityRight, ctx: VmsContext): boolean {
  if (owner?.username === user.username && !ctx.ownTokensNeedRights) return true;
  return user.rights.includes(right) && sameScope(user, owner);
}

function sameScope(user: VmsUser, owner: VmsUser | undefined): boolean {
  return owner !== undefined && (user.userType === "SUPER_ADMIN" || owner.tenant === user.tenant);
}

function readJson(request: VmsRequest): { value: unknown } | VmsReply {
  const text = request.body.toString("utf8");
  if (text.trim() === "") return { value: undefined };
  try {
    return { value: JSON.parse(text) as unknown };
  } catch (error) {
    return detail(400, `JSON parse error - ${(error as Error).message}`);
  }
}

function vmsJson(ctx: VmsContext): Record<string, unknown> {
  return { id: 1, name: "vms-simulator", max_api_tokens_per_user: ctx.state.settings.maxApiTokensPerUser };
}

export function tokenJson(token: VmsToken): Record<string, unknown> {
  return {
    id: token.id,
    name: token.name,
    owner: token.owner,
    created: vmsTimestamp(token.created),
    expiry_date: token.expiry === null ? null : vmsTimestamp(token.expiry),
    last_used: token.lastUsed === null ? null : vmsTimestamp(token.lastUsed),
    revoked: token.revoked,
    revocation_time: token.revocationTime === null ? null : vmsTimestamp(token.revocationTime),
  };
}

/** `2025-02-19T11:30:04.123000Z`, or without a fraction on a whole second, as Django writes them. */
function vmsTimestamp(ms: number): string {
  const iso = new Date(ms).toISOString();
  return ms % 1000 === 0 ? iso.replace(".000Z", "Z") : iso.replace("Z", "000Z");
}
