import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK, type JWTPayload } from "jose";

/**
 * A local OAuth authorization server for tests, on 127.0.0.1: RFC 8414 metadata, a JWKS of keys
 * made here, and a token endpoint for the client-credentials grant (client_secret_basic). Its
 * access tokens are JWTs as RFC 9068 has them: `sub`, `client_id`, `aud` (the `resource` asked
 * for), `scope`, `iat`, `exp`.
 */

interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

export interface TokenOptions {
  /** Claims over the defaults (sub "alice", aud `audience`, scope read and write, 5 minutes' life). */
  claims?: JWTPayload & { scope?: string };
  /** A key the JWKS does not publish (its own kid, or `kid` to pose as a published one). */
  unpublished?: boolean;
  kid?: string;
}

export interface IssuerDouble {
  /** Its issuer identifier, also its base URL. */
  readonly issuer: string;
  /** The audience its tokens carry when none is asked for. */
  audience: string;
  /** How often its JWKS was fetched. */
  readonly jwksFetches: number;
  /** Set: its JWKS endpoint answers 500, as a broken authorization server would. */
  keysBroken: boolean;
  /** The `resource` of each token request, in order. */
  readonly resources: (string | undefined)[];
  /** Mints an access token signed with the current key (or one it does not publish). */
  token(options?: TokenOptions): Promise<string>;
  /** A client for the client-credentials grant, allowed these scopes. */
  addClient(clientId: string, secret: string, scopes: string[]): void;
  /** Publishes a new key beside the old and signs with it from now on. */
  rotate(): Promise<void>;
  close(): Promise<void>;
}

async function signingKey(): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair("ES256");
  const kid = randomUUID();
  return { kid, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg: "ES256", use: "sig" } };
}

export async function startIssuerDouble(): Promise<IssuerDouble> {
  const keys = [await signingKey()];
  const clients = new Map<string, { secret: string; scopes: string[] }>();
  const resources: (string | undefined)[] = [];
  let jwksFetches = 0;
  let issuer = "";

  const sign = async ({ claims = {}, unpublished = false, kid }: TokenOptions = {}) => {
    const key = unpublished ? await signingKey() : keys.at(-1)!;
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ scope: "tokens:read tokens:write", client_id: "test-client", ...claims })
      .setProtectedHeader({ alg: "ES256", typ: "at+jwt", kid: kid ?? key.kid })
      .setIssuer(claims.iss ?? issuer)
      .setSubject(claims.sub ?? "alice")
      .setAudience(claims.aud ?? double.audience)
      .setIssuedAt(now)
      .setExpirationTime(claims.exp ?? now + 300)
      .sign(key.privateKey);
  };

  const server = createServer((req, res) => {
    const reply = (status: number, body: unknown) => res.writeHead(status, { "Content-Type": "application/json" }).end(JSON.stringify(body));
    const path = (req.url ?? "/").split("?")[0];
    if (req.method === "GET" && path === "/.well-known/oauth-authorization-server") {
      return reply(200, {
        issuer,
        jwks_uri: `${issuer}/jwks`,
        token_endpoint: `${issuer}/token`,
        authorization_endpoint: `${issuer}/authorize`,
        grant_types_supported: ["client_credentials"],
        token_endpoint_auth_methods_supported: ["client_secret_basic"],
        response_types_supported: ["token"],
        scopes_supported: ["tokens:read", "tokens:write"],
      });
    }
    if (req.method === "GET" && path === "/jwks") {
      jwksFetches++;
      if (double.keysBroken) return reply(500, { error: "server_error" });
      return reply(200, { keys: keys.map((key) => key.publicJwk) });
    }
    if (req.method === "POST" && path === "/token") {
      return void readForm(req).then(async (form) => {
        const [clientId, secret] = Buffer.from((req.headers.authorization ?? "").replace(/^Basic /, ""), "base64").toString().split(":").map(decodeURIComponent);
        const client = clients.get(clientId ?? "");
        if (!client || client.secret !== secret) return reply(401, { error: "invalid_client" });
        if (form.get("grant_type") !== "client_credentials") return reply(400, { error: "unsupported_grant_type" });
        const resource = form.get("resource") ?? undefined;
        resources.push(resource);
        const asked = form.get("scope")?.split(" ") ?? client.scopes;
        const scope = asked.filter((name) => client.scopes.includes(name)).join(" ");
        const accessToken = await sign({ claims: { sub: clientId, client_id: clientId, scope, ...(resource ? { aud: resource } : {}) } });
        reply(200, { access_token: accessToken, token_type: "Bearer", expires_in: 300, scope });
      });
    }
    reply(404, { error: "not_found" });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const double: IssuerDouble = {
    issuer,
    audience: "",
    keysBroken: false,
    get jwksFetches() {
      return jwksFetches;
    },
    resources,
    token: sign,
    addClient: (clientId, secret, scopes) => void clients.set(clientId, { secret, scopes }),
    async rotate() {
      keys.push(await signingKey());
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  return double;
}

function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  return new Promise((resolve) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString()));
    req.on("end", () => resolve(new URLSearchParams(body)));
  });
}
