import type { Policy, TokenStatus, TokenType } from "../../backends/solarnetwork/model.js";
import { arrayParam, enumArgument, isJsonContentType, param, policyBody, requiredParam } from "./arguments.js";
import { mergedPolicy, restricts, storedPolicy, TOKEN_STATUSES, TOKEN_TYPES } from "./policy.js";
import { bootError, challenge, denied, failure, INTERNAL_ERROR, ApiError, success, type Reply } from "./replies.js";
import { signingKey } from "./signing.js";
import { newSecret, newTokenId, tokenJson } from "./token-json.js";
import type { StoredToken, TokenStore } from "./store.js";
import { verifyRequest, type ReceivedRequest } from "./verify.js";

/**
 * The SolarUser application behind the HTTP server: routing, access rules, the token endpoints,
 * and replies in SolarNetwork's envelope. Pure over (request, store, clock): no I/O of its own.
 */

const SEC = "/api/v1/sec";

export interface ApiContext {
  readonly store: TokenStore;
  /** Server clock, epoch ms. */
  readonly now: number;
  /** `host:port` the server listens on. */
  readonly serverHost: string;
  /** Next creation time for a new token, epoch microseconds. */
  readonly nextCreated: () => number;
  /** When given, `generate` checks policy node IDs against it (node ID → owner user ID). */
  readonly nodeOwners?: ReadonlyMap<number, number>;
}

// ---------------------------------------------------------------------------------------------
// Routing

/** Handles one request; never throws (an unexpected error answers 500 `Internal error`). */
export function handleRequest(request: ReceivedRequest, ctx: ApiContext): Reply {
  try {
    return route(request, ctx);
  } catch (error) {
    if (error instanceof ApiError) return error.reply;
    return INTERNAL_ERROR();
  }
}

function route(request: ReceivedRequest, ctx: ApiContext): Reply {
  const app = /^\/(solaruser|solarquery)(\/.*)$/.exec(request.rawPath);
  if (!app) return bootError(404, request, ctx.now);
  const [, appName, appPath = ""] = app;
  if (!appPath.startsWith("/api/")) return bootError(404, request, ctx.now);

  const secured = appPath === SEC || appPath.startsWith(`${SEC}/`);
  const apiPath = secured ? appPath.slice(SEC.length) : appPath;
  const verification = verifyRequest(request, {
    now: ctx.now,
    lookup: (id) => ctx.store.get(id),
    apiPath,
    serverHost: ctx.serverHost,
  });
  if (verification && !verification.ok) {
    return verification.challenge
      ? challenge(verification.status, verification.message)
      : failure(verification.status, verification.message);
  }
  if (!secured) return bootError(404, request, ctx.now);
  if (!verification) return challenge(401, "Full authentication is required to access this resource");
  const actor = verification.token;

  if (appName === "solaruser") {
    // `/api/v1/sec/**` requires ROLE_USER, which only User tokens have.
    if (actor.type !== "User") return failure(403, "Access Denied");
    return routeSolarUser(request, ctx, actor, apiPath);
  }
  return routeSolarQuery(request, ctx, actor, apiPath);
}

function routeSolarUser(request: ReceivedRequest, ctx: ApiContext, actor: StoredToken, path: string): Reply {
  const method = request.method;
  const tokens = "/user/auth-tokens";
  if (path === tokens || path === `${tokens}/`) {
    if (method === "GET") return listAll(ctx, actor);
    if (method === "DELETE") return deleteToken(request, ctx, actor);
    return bootError(405, request, ctx.now);
  }
  if (path === "/whoami") return method === "GET" ? whoami(actor) : bootError(405, request, ctx.now);
  if (!path.startsWith(`${tokens}/`)) return bootError(404, request, ctx.now);
  const action = path.slice(tokens.length + 1);
  if (action === "find") return method === "GET" ? find(request, ctx, actor) : bootError(405, request, ctx.now);
  if (action === "info") return method === "POST" ? updateInfo(request, ctx, actor) : bootError(405, request, ctx.now);
  if (action === "status") {
    return method === "POST" ? updateStatus(request, ctx, actor) : bootError(405, request, ctx.now);
  }
  if (action === "policy") {
    if (method !== "PATCH" && method !== "PUT") return bootError(405, request, ctx.now);
    return updatePolicy(request, ctx, actor, method === "PUT");
  }
  const generate = /^generate\/([^/]+)$/.exec(action);
  if (generate) {
    return method === "POST" ? generateToken(request, ctx, actor, generate[1] as string) : bootError(405, request, ctx.now);
  }
  return bootError(404, request, ctx.now);
}

function routeSolarQuery(request: ReceivedRequest, ctx: ApiContext, actor: StoredToken, path: string): Reply {
  if (path === "/whoami") return request.method === "GET" ? whoami(actor) : bootError(405, request, ctx.now);
  if (path === "/auth-tokens/refresh/v2") {
    return request.method === "GET" ? refreshSigningKey(request, ctx, actor) : bootError(405, request, ctx.now);
  }
  return bootError(404, request, ctx.now);
}

// ---------------------------------------------------------------------------------------------
// Access rules (UserAuthTokenSecurityAspect, DaoUserBiz)

function requireUnrestricted(actor: StoredToken): void {
  if (restricts(actor.policy)) throw denied("ACCESS_DENIED");
}

/** The user's own token, or 403 `UNKNOWN_OBJECT` / `ACCESS_DENIED`. */
function ownedToken(ctx: ApiContext, actor: StoredToken, tokenId: string): StoredToken {
  const token = ctx.store.get(tokenId);
  if (!token) throw denied("UNKNOWN_OBJECT");
  if (token.userId !== actor.userId) throw denied("ACCESS_DENIED");
  return token;
}

function byCreated(a: StoredToken, b: StoredToken): number {
  return a.created - b.created || compareStrings(a.id, b.id);
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

// ---------------------------------------------------------------------------------------------
// Endpoints

function listAll(ctx: ApiContext, actor: StoredToken): Reply {
  const tokens = restricts(actor.policy)
    ? [ctx.store.get(actor.id)].filter((t): t is StoredToken => t !== undefined)
    : ctx.store.all().filter((t) => t.userId === actor.userId).sort(byCreated);
  return success(tokens.map((t) => tokenJson(t, ctx.now)));
}

const BOOLEAN_TRUE = ["true", "on", "yes", "1"];
const BOOLEAN_FALSE = ["false", "off", "no", "0"];

function find(request: ReceivedRequest, ctx: ApiContext, actor: StoredToken): Reply {
  const activeText = param(request, "active");
  let active: boolean | undefined;
  if (activeText !== undefined && activeText.trim() !== "") {
    const lower = activeText.trim().toLowerCase();
    if (BOOLEAN_TRUE.includes(lower)) active = true;
    else if (BOOLEAN_FALSE.includes(lower)) active = false;
    else {
      const message = `Failed to convert property value of type 'java.lang.String' to required type 'java.lang.Boolean' for property 'active'; Invalid boolean value [${activeText}]`;
      return failure(422, message, "VAL.00004", [
        { location: "basicUserAuthTokenFilter.active", rejectedValue: activeText, message },
      ]);
    }
  }
  let identifiers = arrayParam(request, "identifiers");
  const identifier = param(request, "identifier");
  if (identifier !== undefined) identifiers = [identifier];
  // Unknown type names are ignored; when none is known there is no type criterion at all.
  const types = (arrayParam(request, "tokenTypes") ?? arrayParam(request, "tokenType") ?? []).filter(
    (t): t is TokenType => (TOKEN_TYPES as readonly string[]).includes(t),
  );
  if (restricts(actor.policy)) identifiers = [actor.id];

  const results = ctx.store
    .all()
    .filter((t) => t.userId === actor.userId)
    .filter((t) => !identifiers || identifiers.length === 0 || identifiers.includes(t.id))
    .filter((t) => active === undefined || (t.status === "Active") === active)
    .filter((t) => types.length === 0 || types.includes(t.type))
    .sort((a, b) => compareStrings(a.id, b.id));
  return success({
    totalResults: results.length,
    startingOffset: 0,
    returnedResultCount: results.length,
    results: results.map((t) => tokenJson(t, ctx.now)),
  });
}

function generateToken(request: ReceivedRequest, ctx: ApiContext, actor: StoredToken, typeSegment: string): Reply {
  const type = enumArgument(
    request,
    ctx,
    safeDecode(typeSegment),
    TOKEN_TYPES,
    "type",
    "net.solarnetwork.central.security.SecurityTokenType",
    "PathVariable",
  );
  if (request.body.length > 0 && !isJsonContentType(request)) return bootError(415, request, ctx.now);
  const policy = policyBody(request, undefined);
  requireUnrestricted(actor);
  if (ctx.nodeOwners && policy?.nodeIds) {
    for (const nodeId of policy.nodeIds) {
      const owner = ctx.nodeOwners.get(nodeId);
      if (owner === undefined) throw denied("UNKNOWN_OBJECT");
      if (owner !== actor.userId) throw denied("ACCESS_DENIED");
    }
  }
  const token: StoredToken = {
    id: newTokenId(ctx.store),
    secret: newSecret(),
    userId: actor.userId,
    type,
    status: "Active",
    created: ctx.nextCreated(),
  };
  if (policy) token.policy = storedPolicy(policy);
  ctx.store.put(token);
  return success(tokenJson(token, ctx.now, true));
}

function updateInfo(request: ReceivedRequest, ctx: ApiContext, actor: StoredToken): Reply {
  const tokenId = requiredParam(request, ctx, "tokenId");
  const name = param(request, "name");
  const description = param(request, "description");
  requireUnrestricted(actor);
  const token = ownedToken(ctx, actor, tokenId);
  delete token.name;
  delete token.description;
  if (name !== undefined && name.trim() !== "") token.name = name;
  if (description !== undefined && description.trim() !== "") token.description = description;
  ctx.store.put(token);
  return success();
}

function updateStatus(request: ReceivedRequest, ctx: ApiContext, actor: StoredToken): Reply {
  const tokenId = requiredParam(request, ctx, "tokenId");
  const status: TokenStatus = enumArgument(
    request,
    ctx,
    requiredParam(request, ctx, "status"),
    TOKEN_STATUSES,
    "status",
    "net.solarnetwork.central.security.SecurityTokenStatus",
    "RequestParam",
  );
  requireUnrestricted(actor);
  const token = ownedToken(ctx, actor, tokenId);
  if (token.status !== status) {
    token.status = status;
    ctx.store.put(token);
  }
  return success();
}

function updatePolicy(request: ReceivedRequest, ctx: ApiContext, actor: StoredToken, replace: boolean): Reply {
  // `consumes = "application/json"` is checked when the handler is chosen, before any argument.
  if (!isJsonContentType(request)) return bootError(415, request, ctx.now);
  const tokenId = requiredParam(request, ctx, "tokenId");
  const update = policyBody(request, replace ? "replacePolicy" : "mergePolicy") as Policy;
  requireUnrestricted(actor);
  const token = ownedToken(ctx, actor, tokenId);
  token.policy = replace ? storedPolicy(update) : mergedPolicy(token.policy, update);
  ctx.store.put(token);
  return success(tokenJson(token, ctx.now));
}

function deleteToken(request: ReceivedRequest, ctx: ApiContext, actor: StoredToken): Reply {
  const tokenId = requiredParam(request, ctx, "tokenId");
  requireUnrestricted(actor);
  const token = ctx.store.get(tokenId);
  if (token) {
    if (token.userId !== actor.userId) throw denied("ACCESS_DENIED");
    ctx.store.delete(tokenId);
  }
  return success();
}

function whoami(actor: StoredToken): Reply {
  return success({ userId: actor.userId, token: actor.id.trim(), tokenType: actor.type });
}

function refreshSigningKey(request: ReceivedRequest, ctx: ApiContext, actor: StoredToken): Reply {
  const text = requiredParam(request, ctx, "date");
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text.trim());
  const day = match ? Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])) : NaN;
  if (!match || new Date(day).toISOString().slice(0, 10) !== text.trim()) {
    return failure(
      422,
      `Illegal argument: Method parameter 'date': Failed to convert value of type 'java.lang.String' to required type 'java.time.LocalDate'; Failed to convert from type [java.lang.String] to type [@org.springframework.web.bind.annotation.RequestParam java.time.LocalDate] for value [${text}]`,
    );
  }
  // Only an explicit `refreshAllowed: false` refuses; no policy or no value allows it.
  if (actor.policy?.refreshAllowed === false) throw denied("ACCESS_DENIED");
  if (day > ctx.now) return failure(422, "Illegal argument: date parameter cannot be in the future");
  const key = signingKey(actor.secret, text.trim().replace(/-/g, ""));
  return success({ key: key.toString("hex") });
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
