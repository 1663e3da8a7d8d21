import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload } from "jose";
import type { Logger } from "../log.js";
import { calledTools, type Admission, type Caller, type HttpAccess, type Refusal } from "./access.js";
import { discoverAuthorizationServer } from "./oauth-discovery.js";
import type { OAuthSettings } from "./oauth-settings.js";

/**
 * HTTP mode as an OAuth 2.1 resource server (MCP authorization; RFC 9728, RFC 6750, RFC 9068):
 * every request carries an access token, a JWT signed by the authorization server with an
 * asymmetric key from its JWKS (found through its metadata, cached, fetched again for an unknown
 * key ID), issued by it, for this server's audience, current. A tool call needs the read or the
 * write scope, as the tool reads or writes; anything else needs one of them. The protected
 * resource metadata tells clients where to get a token.
 */

export const PROTECTED_RESOURCE_PATH = "/.well-known/oauth-protected-resource";

/** Signature algorithms accepted: asymmetric only, so a public key can never serve as an HMAC secret. */
const ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA", "Ed25519"];
/** Tolerated clock difference with the authorization server, in seconds. */
const CLOCK_TOLERANCE_S = 30;

export interface OAuthAccessOptions {
  settings: OAuthSettings;
  /** This server's `/mcp` URL as the listener serves it: the audience when the settings name none. */
  ownUrl: () => string;
  /** Whether a tool only reads (its readOnlyHint); an unknown name counts as a write. */
  isReadOnlyTool(name: string): boolean;
  log: Logger;
  /** Epoch ms (tests move it). */
  clock?: () => number;
  /** How soon an unknown key ID may fetch the JWKS again (jose's default, 30 s, unless a test says otherwise). */
  jwksCooldownMs?: number;
}

export interface OAuthAccess extends HttpAccess {
  /** The audience tokens must carry (this server's canonical URL). */
  readonly audience: string;
  /** Where the protected resource metadata is, as the challenges say. */
  readonly metadataUrl: string;
  /** Reads the authorization server's metadata now (start-up); rejects with why it cannot. */
  discover(): Promise<void>;
}

export function oauthAccess({ settings, ownUrl, isReadOnlyTool, log, clock = Date.now, jwksCooldownMs }: OAuthAccessOptions): OAuthAccess {
  const { issuer, scopes } = settings;
  const audience = () => settings.audience ?? ownUrl();
  const metadataUrl = () => {
    const resource = new URL(audience());
    return new URL(`${PROTECTED_RESOURCE_PATH}${resource.pathname.replace(/\/$/, "")}`, resource.origin).href;
  };
  const challenge = (parameters: Record<string, string>) =>
    `Bearer ${Object.entries({ ...parameters, resource_metadata: metadataUrl() })
      .map(([name, value]) => `${name}="${value.replace(/["\\]/g, "")}"`)
      .join(", ")}`;

  let keys: Promise<ReturnType<typeof createRemoteJWKSet>> | undefined;
  const signingKeys = () => {
    keys ??= discoverAuthorizationServer(issuer).then(
      (server) => {
        log.info("OAuth: the authorization server's keys are at its jwks_uri", { issuer, jwksUri: server.jwksUri });
        return createRemoteJWKSet(new URL(server.jwksUri), { cooldownDuration: jwksCooldownMs, timeoutDuration: 10_000 });
      },
      (error: unknown) => {
        keys = undefined;
        throw error;
      },
    );
    return keys;
  };

  const unauthorized = (reason: string): Admission => ({
    refusal: {
      status: 401,
      message: `Unauthorized: the access token ${reason}. Get a new one from ${issuer} (this server's protected resource metadata: ${metadataUrl()}).`,
      challenge: challenge({ error: "invalid_token", error_description: `The access token ${reason}` }),
      kind: `access token refused: ${reason}`,
    },
  });

  return {
    get audience() {
      return audience();
    },
    get metadataUrl() {
      return metadataUrl();
    },
    async discover() {
      await signingKeys();
    },

    async authenticate(authorization) {
      if (!authorization) {
        return {
          refusal: {
            status: 401,
            message: `Unauthorized: send an access token from ${issuer} as Authorization: Bearer <token>; this server's protected resource metadata is at ${metadataUrl()}.`,
            challenge: challenge({ scope: `${scopes.read} ${scopes.write}` }),
            kind: "no access token",
          },
        };
      }
      const token = /^Bearer[ \t]+([\w.~+/-]+=*)[ \t]*$/i.exec(authorization)?.[1];
      if (!token) return unauthorized("is not a Bearer token");
      let getKey;
      try {
        getKey = await signingKeys();
      } catch (error) {
        log.warn("OAuth: the authorization server's metadata could not be read; requests are refused until it can", { issuer, error: String((error as Error).message) });
        return { refusal: unavailable(issuer) };
      }
      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(token, getKey, {
          issuer,
          audience: audience(),
          algorithms: ALGORITHMS,
          requiredClaims: ["exp", "sub"],
          clockTolerance: CLOCK_TOLERANCE_S,
          currentDate: new Date(clock()),
        }));
      } catch (error) {
        if (keysUnavailable(error)) {
          log.warn("OAuth: the authorization server's keys could not be fetched", { error: String(error) });
          return { refusal: unavailable(issuer) };
        }
        return unauthorized(whyRefused(error));
      }
      if (typeof payload.sub !== "string" || payload.sub.trim() === "") return unauthorized("names no subject (sub)");
      return { caller: callerOf(token, payload) };
    },

    authorize(caller, message) {
      const { tools, other } = calledTools(message);
      const needed = new Set(tools.map((name) => (isReadOnlyTool(name) ? scopes.read : scopes.write)));
      const held = new Set(caller.scopes);
      if (other && !held.has(scopes.read) && !held.has(scopes.write)) needed.add(scopes.read);
      const missing = [...needed].filter((scope) => !held.has(scope));
      if (missing.length === 0) return undefined;
      const wanted = [...new Set([...[scopes.read, scopes.write].filter((scope) => held.has(scope)), ...missing])].join(" ");
      return {
        status: 403,
        message: `Forbidden: this request needs the scope ${missing.join(" and ")}, which the access token does not carry, so nothing was done. Ask the authorization server for a token with scope "${wanted}".`,
        challenge: challenge({ error: "insufficient_scope", scope: wanted, error_description: `Needs the scope ${missing.join(" ")}` }),
        kind: "insufficient scope",
      };
    },

    document(path) {
      const served = [PROTECTED_RESOURCE_PATH, `${PROTECTED_RESOURCE_PATH}${new URL(ownUrl()).pathname}`, new URL(metadataUrl()).pathname];
      if (!served.includes(path)) return undefined;
      return JSON.stringify({
        resource: audience(),
        authorization_servers: [issuer],
        scopes_supported: [scopes.read, scopes.write],
        bearer_methods_supported: ["header"],
        resource_name: "sn-tokens-mcp",
      });
    },
  };
}

function unavailable(issuer: string): Refusal {
  return {
    status: 503,
    message: `Service unavailable: the keys of the authorization server ${issuer} cannot be read just now, so no access token can be checked. Try again shortly.`,
    kind: "authorization server unreachable",
  };
}

/** Why jose refused a token, in words for the client (never the token itself). */
function whyRefused(error: unknown): string {
  if (error instanceof errors.JWTExpired) return "has expired";
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === "aud") return "is for another audience (aud), not this server";
    if (error.claim === "iss") return "comes from another issuer (iss)";
    if (error.claim === "nbf") return "is not valid yet (nbf)";
    return `lacks a valid ${error.claim} claim`;
  }
  if (error instanceof errors.JOSEAlgNotAllowed) return "is not signed with an asymmetric algorithm this server accepts";
  if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWSSignatureVerificationFailed) return "is not signed by a key of the authorization server";
  if (error instanceof errors.JWKSMultipleMatchingKeys) return "names no single key of the authorization server";
  return "is not a valid signed JWT";
}

function callerOf(token: string, payload: JWTPayload): Caller {
  const claims = payload as JWTPayload & { scope?: unknown; scp?: unknown; client_id?: unknown; azp?: unknown };
  // RFC 9068's `scope` is a space-separated string; some servers send `scp`, as a list or a string.
  const listed = claims.scope ?? claims.scp;
  const scopes = Array.isArray(listed) ? listed.filter((scope) => typeof scope === "string") : typeof listed === "string" ? listed.split(" ").filter(Boolean) : [];
  const clientId = typeof claims.client_id === "string" ? claims.client_id : typeof claims.azp === "string" ? claims.azp : undefined;
  return { token, subject: payload.sub, clientId, scopes, expiresAt: payload.exp };
}

/**
 * The issuer's key set could not be had (no answer in time, a refused fetch, a reply that is not
 * 200 or not a key set): the caller's token is not at fault, so it is not told it is invalid.
 */
function keysUnavailable(error: unknown): boolean {
  if (error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid) return true;
  if (error instanceof errors.JOSEError && error.code === errors.JOSEError.code) return true;
  return error instanceof TypeError && /fetch/i.test(error.message);
}
