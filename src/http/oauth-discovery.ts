/**
 * The authorization server's metadata, as far as a resource server needs it: where its signing
 * keys are. RFC 8414 first, then OpenID Connect Discovery, at the well-known locations MCP clients
 * try too; the metadata's `issuer` must be exactly the configured one (RFC 8414 §3.3).
 */

export interface AuthorizationServer {
  issuer: string;
  jwksUri: string;
}

const TIMEOUT_MS = 10_000;

/** The metadata addresses for an issuer, in the order tried: path-inserted RFC 8414 and OIDC, then OIDC appended. */
export function metadataUrls(issuer: string): string[] {
  const url = new URL(issuer);
  const path = url.pathname.replace(/\/$/, "");
  const at = (wellKnown: string) => new URL(`/.well-known/${wellKnown}${path}`, url.origin).href;
  const urls = [at("oauth-authorization-server"), at("openid-configuration")];
  if (path) urls.push(new URL(`${path}/.well-known/openid-configuration`, url.origin).href);
  return urls;
}

/** Reads the issuer's metadata; throws an Error whose message says what is wrong (no secret in it). */
export async function discoverAuthorizationServer(issuer: string): Promise<AuthorizationServer> {
  const tried: string[] = [];
  for (const url of metadataUrls(issuer)) {
    let reply: Response;
    try {
      reply = await fetch(url, { headers: { Accept: "application/json" }, redirect: "error", signal: AbortSignal.timeout(TIMEOUT_MS) });
    } catch (error) {
      tried.push(`${url}: ${(error as Error).message}`);
      continue;
    }
    if (!reply.ok) {
      tried.push(`${url}: HTTP ${reply.status}`);
      continue;
    }
    const metadata = (await reply.json().catch(() => undefined)) as { issuer?: unknown; jwks_uri?: unknown } | undefined;
    if (metadata?.issuer !== issuer) {
      throw new Error(`${url} names the issuer ${JSON.stringify(metadata?.issuer)}, not ${JSON.stringify(issuer)}: set SN_MCP_HTTP_OAUTH_ISSUER to exactly the issuer its tokens carry`);
    }
    if (typeof metadata.jwks_uri !== "string" || !/^https:\/\/|^http:\/\/(127\.|localhost[:/]|\[::1\])/.test(metadata.jwks_uri)) {
      throw new Error(`${url} gives no usable jwks_uri (an https URL), so access tokens cannot be checked`);
    }
    return { issuer, jwksUri: metadata.jwks_uri };
  }
  throw new Error(`no authorization server metadata for ${issuer} (tried ${tried.join("; ")})`);
}
