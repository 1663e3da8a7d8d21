import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { Agent, request as httpRequest, type IncomingHttpHeaders } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { AuthorizationV2Builder } from "solarnetwork-api-core/lib/net";
import { decodePolicy, mergedPolicy, storedPolicy } from "../src/simulators/solarnetwork/policy.js";
import { canonicalRequestText, type ReceivedRequest } from "../src/simulators/solarnetwork/verify.js";
import {
  jsonFileTokenStore,
  startLocalSolarUser,
  type LocalSolarUser,
  type LocalSolarUserOptions,
} from "../src/simulators/solarnetwork/solaruser.js";
import {
  EMPTY_SHA256_HEX,
  deriveSigningKey,
  httpDate,
  sha256Hex,
  sign,
  signature,
  signingDay,
  stringToSign,
  uriEncode,
} from "../src/backends/solarnetwork/snws2.js";

/**
 * The local SolarUser against hand-signed requests: SNWS2 verification as the real server does
 * it (published vectors included), access rules, the token endpoints, storage and faults.
 */

const ROOT = "/solaruser/api/v1/sec/user/auth-tokens";
const WHOAMI = "/solarquery/api/v1/sec/whoami";
const REFRESH = "/solarquery/api/v1/sec/auth-tokens/refresh/v2";
const T0 = Date.UTC(2025, 8, 29, 4, 23, 20, 302);
const MINUTE = 60_000;
const DAY = 86_400_000;

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

interface Credential {
  id: string;
  secret?: string;
  key?: Uint8Array;
}

interface CallOptions {
  method?: string;
  path?: string;
  query?: [string, string][];
  form?: [string, string][];
  /** Exact JSON body bytes; sent with a signed Content-Type and (unless `digest: false`) Digest. */
  json?: string;
  /** Replaces the JSON body's Content-Type. */
  contentType?: string;
  digest?: boolean;
  /** The request date (default: the server clock, whole seconds). */
  date?: Date;
  /** The day the signing key is derived for (default: the request's). */
  keyDate?: Date;
  /** Sent and signed. */
  headers?: Record<string, string>;
  /** Sent, not signed. */
  unsigned?: Record<string, string>;
  /** Signed, then not sent. */
  dropSent?: string[];
  /** Changes the request after it was signed. */
  tamper?: (wire: Wire) => void;
  timeoutMs?: number;
  agent?: Agent;
}

interface Wire {
  method: string;
  target: string;
  headers: Record<string, string>;
  body?: string;
}

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  json: Json;
}

let clock = T0;
let su: LocalSolarUser;
let admin: Credential;

async function start(options: LocalSolarUserOptions = {}): Promise<LocalSolarUser> {
  su = await startLocalSolarUser({ now: () => clock, ...options });
  return su;
}

beforeEach(() => {
  clock = T0;
});

afterEach(async () => {
  await su?.close();
});

const encodeParameters = (parameters: [string, string][]) =>
  parameters.map(([n, v]) => `${uriEncode(n)}=${uriEncode(v)}`).join("&");

/** Signs with the project's pure SNWS2 functions, then sends over plain node:http. */
function call(credential: Credential, options: CallOptions = {}): Promise<Reply> {
  const method = options.method ?? "GET";
  const path = options.path ?? ROOT;
  const query = options.query ?? [];
  const form = options.form ?? [];
  const date = options.date ?? new Date(Math.floor(clock / 1000) * 1000);
  const url = new URL(su.url);
  const headers: Record<string, string> = { host: url.host, "x-sn-date": httpDate(date), ...options.headers };
  let body: string | undefined;
  let bodySha256Hex = EMPTY_SHA256_HEX;
  if (options.form) {
    headers["content-type"] = "application/x-www-form-urlencoded;charset=UTF-8";
    body = encodeParameters(form);
  } else if (options.json !== undefined) {
    headers["content-type"] = options.contentType ?? "application/json;charset=UTF-8";
    body = options.json;
    bodySha256Hex = sha256Hex(body);
    if (options.digest !== false) {
      headers["digest"] = `sha-256=${createHash("sha256").update(body).digest("base64")}`;
    }
  }
  const key = credential.key ?? deriveSigningKey(credential.secret ?? "", signingDay(options.keyDate ?? date));
  const authorization = sign({ method, path, parameters: [...query, ...form], headers, bodySha256Hex }, credential.id, key, date);
  const sent: Record<string, string> = { ...headers, ...options.unsigned, authorization };
  for (const name of options.dropSent ?? []) delete sent[name];
  const q = encodeParameters(query);
  const wire: Wire = { method, target: q ? `${path}?${q}` : path, headers: sent, body };
  options.tamper?.(wire);
  return send(wire, options);
}

function send(wire: Wire, options: { timeoutMs?: number; agent?: Agent } = {}): Promise<Reply> {
  const url = new URL(su.url);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        method: wire.method,
        path: wire.target,
        headers: wire.body !== undefined ? { ...wire.headers, "content-length": Buffer.byteLength(wire.body) } : wire.headers,
        setHost: false,
        agent: options.agent ?? false,
        timeout: options.timeoutMs,
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => (text += chunk));
        res.on("error", reject);
        res.on("aborted", () => reject(new Error("aborted")));
        res.on("end", () => {
          let json: Json;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        });
      },
    );
    req.on("timeout", () => req.destroy(new Error("client timeout")));
    req.on("error", reject);
    req.end(wire.body);
  });
}

function seedAdmin(userId = 123): Credential {
  admin = su.seedToken({ type: "User", userId, name: "admin" });
  return admin;
}

function expectAuthFailure(reply: Reply, status: number, message: string | RegExp) {
  expect(reply.status).toBe(status);
  expect(reply.headers["www-authenticate"]).toBe("SNWS2");
  if (typeof message === "string") expect(reply.headers["x-sn-errormessage"]).toBe(message);
  else expect(reply.headers["x-sn-errormessage"]).toMatch(message);
  expect(reply.json).toMatchObject({ success: false });
  expect(reply.json.message).toBe(reply.headers["x-sn-errormessage"]);
}

// ---------------------------------------------------------------------------------------------

describe("canonical request (server side) reproduces the published vectors", () => {
  const received = (overrides: Partial<ReceivedRequest> & { headerList?: [string, string][] }): ReceivedRequest => ({
    method: "GET",
    rawPath: "/mock/path/here",
    rawQuery: "",
    parameters: [],
    headers: new Map(overrides.headerList ?? []),
    body: Buffer.alloc(0),
    formBody: false,
    ...overrides,
  });
  const snDate = "Thu, 10 Aug 2017 04:41:22 GMT";
  const when = new Date(1502340082000);
  const serverSignature = (request: ReceivedRequest, secret: string, signedHeaders: string[]) =>
    signature(deriveSigningKey(secret, signingDay(when)), stringToSign(canonicalRequestText(request, signedHeaders), when));

  // AuthenticationDataV2Tests (section C of snws2-test-vectors.md)
  const cases: [string, [string, string][], string][] = [
    ["non-standard port", [["host", "localhost:8080"]], "0574baabdb8c97c0961d04f1a3e9a328dde3219b3898982af18b0c9675463fb1"],
    ["https via proxy", [["host", "localhost"], ["x-forwarded-proto", "https"], ["x-forwarded-port", "443"]], "85028cb8b15bc3a7557aa9607c419697e0a942a95511728318e290c1d27ffd41"],
    ["https non-standard port via proxy", [["host", "localhost"], ["x-forwarded-proto", "https"], ["x-forwarded-port", "8443"]], "409bc3bd69fd95d6b67fe7cde94ae412221d61a92ee52dc3bfc82ae535f9f8a9"],
    ["http via proxy", [["host", "localhost"], ["x-forwarded-proto", "http"], ["x-forwarded-port", "80"]], "9584e63cd1c3e8e6fd007b982f99ffb63a6feb8a9db06bd3f4879bf7867a290f"],
    ["http non-standard port via proxy", [["host", "localhost"], ["x-forwarded-proto", "http"], ["x-forwarded-port", "8080"]], "0574baabdb8c97c0961d04f1a3e9a328dde3219b3898982af18b0c9675463fb1"],
  ];
  for (const [name, headerList, expected] of cases) {
    it(name, () => {
      const request = received({ headerList: [...headerList, ["x-sn-date", snDate]] });
      expect(serverSignature(request, "lsdjfpse9jfoeijfe09j", ["host", "x-sn-date"])).toBe(expected);
    });
  }

  it("escapes query parameters like the server test pathWithQueryParamsNeedingURIEscape", () => {
    const request = received({
      parameters: [
        ["zog", "dog"],
        ["/foo/bar", "bam!"],
        ["bar.bim[1][blah]", "foo yes!"],
      ],
      headerList: [["host", "localhost"], ["x-sn-date", snDate]],
    });
    expect(canonicalRequestText(request, ["host", "x-sn-date"]).split("\n")[2]).toBe(
      "%2Ffoo%2Fbar=bam%21&bar.bim%5B1%5D%5Bblah%5D=foo%20yes%21&zog=dog",
    );
  });

  it("hashes a form POST as empty and moves its fields into the query (section E, /status)", () => {
    const request = received({
      method: "POST",
      rawPath: `${ROOT}/status`,
      parameters: [
        ["tokenId", "hNAdH.aXHaEqFossMwT8"],
        ["status", "Disabled"],
      ],
      headerList: [
        ["host", "data.solarnetwork.net"],
        ["x-sn-date", "Tue, 25 Apr 2017 14:30:00 GMT"],
        ["content-type", "application/x-www-form-urlencoded;charset=UTF-8"],
      ],
      body: Buffer.from("tokenId=hNAdH.aXHaEqFossMwT8&status=Disabled"),
      formBody: true,
    });
    expect(canonicalRequestText(request, ["content-type", "host", "x-sn-date"])).toBe(
      `POST\n${ROOT}/status\nstatus=Disabled&tokenId=hNAdH.aXHaEqFossMwT8\ncontent-type:application/x-www-form-urlencoded;charset=UTF-8\nhost:data.solarnetwork.net\nx-sn-date:Tue, 25 Apr 2017 14:30:00 GMT\ncontent-type;host;x-sn-date\n${EMPTY_SHA256_HEX}`,
    );
  });
});

describe("published signatures are accepted over HTTP", () => {
  it("GET /find from section E", async () => {
    clock = Date.UTC(2017, 3, 25, 14, 30, 0);
    await start();
    su.seedToken({ type: "User", id: "test-token-id", secret: "test-token-secret" });
    const reply = await send({
      method: "GET",
      target: `${ROOT}/find?active=true&tokenTypes=ReadNodeData`,
      headers: {
        host: "data.solarnetwork.net",
        "x-sn-date": "Tue, 25 Apr 2017 14:30:00 GMT",
        authorization:
          "SNWS2 Credential=test-token-id,SignedHeaders=host;x-sn-date,Signature=95281958bd24033f5406c420667fcfd2404a6ec6f6e8046be50c48f13364f8b1",
      },
    });
    expect(reply.status).toBe(200);
    expect(reply.json).toEqual({
      success: true,
      data: { totalResults: 0, startingOffset: 0, returnedResultCount: 0, results: [] },
    });
  });

  it("a key from three days earlier, and the refreshed key it returns (section E)", async () => {
    clock = Date.UTC(2017, 3, 28, 9, 15, 0);
    await start();
    su.seedToken({ type: "User", id: "test-token-id", secret: "test-token-secret" });
    const reply = await send({
      method: "GET",
      target: `${REFRESH}?date=2017-04-28`,
      headers: {
        host: "data.solarnetwork.net",
        "x-sn-date": "Fri, 28 Apr 2017 09:15:00 GMT",
        authorization:
          "SNWS2 Credential=test-token-id,SignedHeaders=host;x-sn-date,Signature=18d2b957441a4512f9c61d0851f9ff6155f26187deeb2f8b2a8028cd005d2bfd",
      },
    });
    expect(reply.status).toBe(200);
    expect(reply.json).toEqual({
      success: true,
      data: { key: "7e39ff4e52d34fc23858435286b064936b3303f698a1a1637e8ea916a0824b37" },
    });
  });
});

describe("requests signed by SolarNetwork's own JS builder (solarnetwork-api-core)", () => {
  beforeEach(async () => {
    await start();
    seedAdmin();
  });

  /** Sends what AuthorizationV2Builder signed: its headers, X-SN-Date and the Authorization it built. */
  const official = (builder: AuthorizationV2Builder, method: string, target: string, body?: string) => {
    const headers: Record<string, string> = {
      authorization: builder.build(admin.secret ?? ""),
      "x-sn-date": httpDate(builder.date()),
    };
    for (const name of builder.httpHeaders.keySet()) headers[name.toLowerCase()] = String(builder.httpHeaders.firstValue(name));
    headers["host"] = new URL(su.url).host;
    return send({ method, target, headers, body });
  };
  const date = () => new Date(Math.floor(clock / 1000) * 1000);

  it("GET with query parameters needing escapes", async () => {
    const target = `${ROOT}/find?identifiers=${encodeURIComponent("a b,c/*")}&active=true`;
    const builder = new AuthorizationV2Builder(admin.id).url(`${su.url}${target}`).snDate(true).date(date());
    const reply = await official(builder, "GET", target);
    expect(reply.status).toBe(200);
  });

  it("POST JSON with a computed Digest", async () => {
    const body = '{"sourceIds":["/REGION2/**"],"nodeIds":[5]}';
    const target = `${ROOT}/generate/ReadNodeData`;
    const builder = new AuthorizationV2Builder(admin.id)
      .method("POST")
      .url(`${su.url}${target}`)
      .snDate(true)
      .date(date())
      .contentType("application/json;charset=UTF-8")
      .computeContentDigest(body);
    const reply = await official(builder, "POST", target, body);
    expect(reply.status).toBe(200);
    expect(reply.json.data.policy).toEqual({ nodeIds: [5], sourceIds: ["/REGION2/**"] });
  });

  it("POST form fields as query parameters of the signature", async () => {
    const id = su.seedToken({ type: "ReadNodeData" }).id;
    const form = { tokenId: id, name: "Ä name", description: "x/y*z" };
    const body = new URLSearchParams(form).toString();
    const target = `${ROOT}/info`;
    const builder = new AuthorizationV2Builder(admin.id)
      .method("POST")
      .url(`${su.url}${target}`)
      .snDate(true)
      .date(date())
      .contentType("application/x-www-form-urlencoded;charset=UTF-8")
      .queryParams(form);
    const reply = await official(builder, "POST", target, body);
    expect(reply.json).toEqual({ success: true });
  });
});

describe("SNWS2 verification", () => {
  beforeEach(async () => {
    await start();
    seedAdmin();
  });

  it("accepts a good signature, replies in the envelope with the server's Date", async () => {
    const reply = await call(admin);
    expect(reply.status).toBe(200);
    expect(reply.headers["content-type"]).toBe("application/json");
    expect(reply.headers["date"]).toBe(new Date(T0).toUTCString());
    expect(reply.json.success).toBe(true);
    expect(reply.json.data).toHaveLength(1);
    expect(reply.json.data[0]).toEqual({
      id: admin.id,
      created: "2025-09-29 04:23:20.302Z",
      userId: 123,
      name: "admin",
      status: "Active",
      type: "User",
      expired: false,
    });
  });

  it("accepts signed form, query and JSON requests, and the Date header instead of X-SN-Date", async () => {
    const made = await call(admin, { method: "POST", path: `${ROOT}/generate/ReadNodeData`, json: '{"sourceIds":["/a/**"]}' });
    expect(made.status).toBe(200);
    const id = made.json.data.id as string;
    const info = await call(admin, { method: "POST", path: `${ROOT}/info`, form: [["tokenId", id], ["name", "Ünïcode & spaces"]] });
    expect(info.json).toEqual({ success: true });
    const status = await call(admin, { method: "POST", path: `${ROOT}/status`, query: [["tokenId", id], ["status", "Disabled"]] });
    expect(status.json).toEqual({ success: true });
    const noDigest = await call(admin, { method: "PUT", path: `${ROOT}/policy`, query: [["tokenId", id]], json: "{}", digest: false });
    expect(noDigest.status).toBe(200);
    const withDate = await call(admin, {
      tamper: (wire) => {
        // re-sign with Date instead of X-SN-Date
        const date = new Date(Math.floor(clock / 1000) * 1000);
        const headers = { host: wire.headers["host"] as string, date: httpDate(date) };
        wire.headers = { ...headers, authorization: sign({ method: "GET", path: ROOT, parameters: [], headers, bodySha256Hex: EMPTY_SHA256_HEX }, admin.id, deriveSigningKey(admin.secret ?? "", signingDay(date)), date) };
      },
    });
    expect(withDate.status).toBe(200);
  });

  const tampers: [string, CallOptions, string | RegExp][] = [
    ["the path", { tamper: (w) => (w.target = `${ROOT}/find`) }, "Bad credentials"],
    ["the query", { path: `${ROOT}/find`, query: [["active", "true"]], tamper: (w) => (w.target = w.target.replace("true", "false")) }, "Bad credentials"],
    ["the body (with Digest)", { method: "POST", path: `${ROOT}/generate/User`, json: "{}", tamper: (w) => (w.body = '{"refreshAllowed":true}') }, "Content sha-256 digest value mismatch"],
    ["the body (without Digest)", { method: "POST", path: `${ROOT}/generate/User`, json: "{}", digest: false, tamper: (w) => (w.body = "[]") }, "Bad credentials"],
    ["a form field", { method: "POST", path: `${ROOT}/info`, form: [["tokenId", "x"], ["name", "a"]], tamper: (w) => (w.body = "tokenId=x&name=b") }, "Bad credentials"],
    ["an unsigned Content-Type", { method: "POST", path: `${ROOT}/generate/User`, unsigned: { "content-type": "application/json" } }, "The 'content-type' HTTP header must be included in SignedHeaders"],
    ["an unsigned X-SN-* header", { unsigned: { "x-sn-extra": "1" } }, "The 'x-sn-extra' HTTP header must be included in SignedHeaders"],
    ["a missing X-SN-Date", { dropSent: ["x-sn-date"] }, "Missing or invalid HTTP Date header value"],
    ["an unparseable X-SN-Date", { tamper: (w) => (w.headers["x-sn-date"] = "yesterday") }, "Invalid HTTP X-SN-Date header value"],
    ["SignedHeaders without a date", { tamper: (w) => (w.headers["authorization"] = w.headers["authorization"]!.replace("host;x-sn-date", "host;x-other")) }, "One of the 'Date' or 'X-SN-Date' HTTP headers must be included in SignedHeaders"],
    ["SignedHeaders without host", { tamper: (w) => (w.headers["authorization"] = w.headers["authorization"]!.replace("host;x-sn-date", "x-other;x-sn-date")) }, "The 'Host' HTTP header must be included in SignedHeaders"],
    ["a single signed header", { tamper: (w) => (w.headers["authorization"] = w.headers["authorization"]!.replace("host;x-sn-date", "x-sn-date")) }, "Invalid SignedHeaders value"],
    ["a short signature", { tamper: (w) => (w.headers["authorization"] = w.headers["authorization"]!.slice(0, -1)) }, "Invalid Signature value"],
    ["an upper-case signature", { tamper: (w) => (w.headers["authorization"] = w.headers["authorization"]!.replace(/Signature=(\w+)/, (_, s: string) => `Signature=${s.toUpperCase()}`)) }, "Bad credentials"],
    ["the Host", { tamper: (w) => (w.headers["host"] = "example.com") }, "Bad credentials"],
  ];
  for (const [what, options, message] of tampers) {
    it(`rejects a tampered or incomplete request: ${what}`, async () => {
      expectAuthFailure(await call(admin, options), 403, message);
    });
  }

  it("rejects a wrong secret and an unknown credential with Bad credentials", async () => {
    expectAuthFailure(await call({ ...admin, secret: `${admin.secret}x` }), 403, "Bad credentials");
    expectAuthFailure(await call({ id: "AAAAAAAAAAAAAAAAAAAA", secret: "s" }), 403, "Bad credentials");
    const renamed = await call(admin, {
      tamper: (w) => (w.headers["authorization"] = w.headers["authorization"]!.replace("Credential=", "Credential=x")),
    });
    expectAuthFailure(renamed, 403, "Bad credentials");
  });

  it("accepts a key derived up to six days before the request's day, not seven", async () => {
    const date = new Date(Math.floor(clock / 1000) * 1000);
    expect((await call(admin, { keyDate: new Date(date.getTime() - 6 * DAY) })).status).toBe(200);
    expectAuthFailure(await call(admin, { keyDate: new Date(date.getTime() - 7 * DAY) }), 403, "Bad credentials");
    expectAuthFailure(await call(admin, { keyDate: new Date(date.getTime() + DAY) }), 403, "Bad credentials");
    // Signing with a key alone (what a refresh returns), never the secret.
    const key = deriveSigningKey(admin.secret ?? "", signingDay(new Date(date.getTime() - 3 * DAY)));
    expect((await call({ id: admin.id, key })).status).toBe(200);
  });

  for (const minutes of [20, -20]) {
    it(`rejects a clock skew of ${minutes} minutes with Date skew too large, after the signature`, async () => {
      const date = new Date(Math.floor((clock + minutes * MINUTE) / 1000) * 1000);
      const reply = await call(admin, { date });
      expectAuthFailure(reply, 403, "Date skew too large");
      expect(Date.parse(reply.headers["date"] ?? "")).toBe(Math.floor(T0 / 1000) * 1000);
      // A bad signature with the same skew is reported as bad credentials: signature first.
      expectAuthFailure(await call({ ...admin, secret: "wrong" }, { date }), 403, "Bad credentials");
    });
  }

  it("allows a skew just under 15 minutes and follows the injected server clock", async () => {
    expect((await call(admin, { date: new Date(T0 - 14 * MINUTE - 59_000) })).status).toBe(200);
    expectAuthFailure(await call(admin, { date: new Date(Math.floor(T0 / 1000) * 1000 - 15 * MINUTE) }), 403, "Date skew too large");
    const date = new Date(Math.floor(clock / 1000) * 1000);
    clock += 30 * MINUTE;
    expectAuthFailure(await call(admin, { date }), 403, "Date skew too large");
    expect((await call(admin)).status).toBe(200);
  });

  it("refuses a disabled credential (403) and an expired one (401, before the signature)", async () => {
    const disabled = su.seedToken({ type: "User", status: "Disabled" });
    expectAuthFailure(await call(disabled), 403, "Bad credentials");
    const expired = su.seedToken({ type: "User", policy: { notAfter: T0 - 1 } });
    expectAuthFailure(await call(expired), 401, "Expired token");
    expectAuthFailure(await call({ ...expired, secret: "wrong" }), 401, "Expired token");
    const valid = su.seedToken({ type: "User", policy: { notAfter: T0 + 1000 } });
    expect((await call(valid)).status).toBe(200);
  });

  it("asks for authentication when there is none", async () => {
    const reply = await send({ method: "GET", target: ROOT, headers: { host: new URL(su.url).host } });
    expectAuthFailure(reply, 401, "Full authentication is required to access this resource");
  });

  it("checks a credential's apiPaths against the path after /api/v1/sec", async () => {
    const data = su.seedToken({ type: "ReadNodeData", policy: { apiPaths: ["/whoami"] } });
    expect((await call(data, { path: WHOAMI })).status).toBe(200);
    expectAuthFailure(await call(data, { path: `${REFRESH}`, query: [["date", "2025-09-29"]] }), 403, "Access denied");
    const inverted = su.seedToken({ type: "ReadNodeData", policy: { apiPaths: ["!/auth-tokens/**"] } });
    expect((await call(inverted, { path: WHOAMI })).status).toBe(200);
    expectAuthFailure(await call(inverted, { path: REFRESH, query: [["date", "2025-09-29"]] }), 403, "Access denied");
  });
});

// ---------------------------------------------------------------------------------------------

describe("access rules", () => {
  beforeEach(async () => {
    await start();
    seedAdmin();
  });

  it("refuses a ReadNodeData actor on the token API, but answers whoami", async () => {
    const data = su.seedToken({ type: "ReadNodeData" });
    const reply = await call(data);
    expect(reply.status).toBe(403);
    expect(reply.json).toEqual({ success: false, message: "Access Denied" });
    expect(reply.headers["x-sn-errormessage"]).toBeUndefined();
    const who = await call(data, { path: WHOAMI });
    expect(who.json).toEqual({ success: true, data: { userId: 123, token: data.id, tokenType: "ReadNodeData" } });
  });

  it("lets a restricted User actor only see itself", async () => {
    const restricted = su.seedToken({ type: "User", policy: { minAggregation: "Hour" } });
    su.seedToken({ type: "ReadNodeData" });
    const list = await call(restricted);
    expect(list.json.data.map((t: Json) => t.id)).toEqual([restricted.id]);
    const found = await call(restricted, { path: `${ROOT}/find`, query: [["identifiers", admin.id]] });
    expect(found.json.data.results.map((t: Json) => t.id)).toEqual([restricted.id]);
    const none = await call(restricted, { path: `${ROOT}/find`, query: [["active", "false"]] });
    expect(none.json.data.results).toEqual([]);
  });

  it("refuses a restricted User actor every change with ACCESS_DENIED", async () => {
    const restricted = su.seedToken({ type: "User", policy: { sourceIds: ["/a"], refreshAllowed: true } });
    const target = su.seedToken({ type: "ReadNodeData" });
    const attempts: CallOptions[] = [
      { method: "POST", path: `${ROOT}/generate/User` },
      { method: "POST", path: `${ROOT}/info`, form: [["tokenId", target.id], ["name", "x"]] },
      { method: "POST", path: `${ROOT}/status`, form: [["tokenId", target.id], ["status", "Disabled"]] },
      { method: "PATCH", path: `${ROOT}/policy`, query: [["tokenId", target.id]], json: '{"refreshAllowed":true}' },
      { method: "PUT", path: `${ROOT}/policy`, query: [["tokenId", target.id]], json: "{}" },
      { method: "DELETE", query: [["tokenId", target.id]] },
      { method: "DELETE", query: [["tokenId", "no-such-token"]] },
    ];
    for (const attempt of attempts) {
      const reply = await call(restricted, attempt);
      expect(reply.status, `${attempt.method} ${attempt.path}`).toBe(403);
      expect(reply.json).toEqual({ success: false, message: "ACCESS_DENIED" });
    }
    expect(su.requests.filter((r) => r.status === 200)).toHaveLength(0);
  });

  it("does not count notAfter and refreshAllowed as restrictions", async () => {
    const actor = su.seedToken({ type: "User", policy: { notAfter: T0 + DAY, refreshAllowed: false } });
    expect((await call(actor, { method: "POST", path: `${ROOT}/generate/User` })).status).toBe(200);
  });

  it("hides other users' tokens and refuses changes to them", async () => {
    const other = su.seedToken({ type: "ReadNodeData", userId: 456 });
    const list = await call(admin);
    expect(list.json.data.map((t: Json) => t.id)).toEqual([admin.id]);
    const found = await call(admin, { path: `${ROOT}/find`, query: [["identifiers", other.id]] });
    expect(found.json.data.results).toEqual([]);
    for (const attempt of [
      { method: "POST", path: `${ROOT}/status`, form: [["tokenId", other.id], ["status", "Disabled"]] },
      { method: "DELETE", query: [["tokenId", other.id]] },
      { method: "PUT", path: `${ROOT}/policy`, query: [["tokenId", other.id]], json: "{}" },
    ] as CallOptions[]) {
      const reply = await call(admin, attempt);
      expect(reply.status).toBe(403);
      expect(reply.json.message).toBe("ACCESS_DENIED");
    }
  });

  it("answers UNKNOWN_OBJECT for an unknown token on update, success on delete", async () => {
    for (const attempt of [
      { method: "POST", path: `${ROOT}/info`, form: [["tokenId", "nope"], ["name", "x"]] },
      { method: "POST", path: `${ROOT}/status`, form: [["tokenId", "nope"], ["status", "Active"]] },
      { method: "PATCH", path: `${ROOT}/policy`, query: [["tokenId", "nope"]], json: "{}" },
    ] as CallOptions[]) {
      const reply = await call(admin, attempt);
      expect(reply.status).toBe(403);
      expect(reply.json).toEqual({ success: false, message: "UNKNOWN_OBJECT" });
    }
    expect((await call(admin, { method: "DELETE", query: [["tokenId", "nope"]] })).json).toEqual({ success: true });
  });

  it("checks node ownership on generate when nodeOwners is given", async () => {
    await su.close();
    await start({ nodeOwners: { 100: 123, 200: 456 } });
    seedAdmin();
    const generate = (json: string) => call(admin, { method: "POST", path: `${ROOT}/generate/ReadNodeData`, json });
    expect((await generate('{"nodeIds":[100]}')).status).toBe(200);
    expect((await generate('{"nodeIds":[100,200]}')).json.message).toBe("ACCESS_DENIED");
    expect((await generate('{"nodeIds":[300]}')).json.message).toBe("UNKNOWN_OBJECT");
  });
});

// ---------------------------------------------------------------------------------------------

describe("token endpoints", () => {
  beforeEach(async () => {
    await start();
    seedAdmin();
  });

  const generate = (type: string, json?: string) =>
    call(admin, { method: "POST", path: `${ROOT}/generate/${type}`, json });

  it("generates a token with a secret returned only then", async () => {
    const reply = await generate("ReadNodeData", '{"sourceIds":["test/**"],"refreshAllowed":true}');
    expect(reply.status).toBe(200);
    const token = reply.json.data;
    expect(token.id).toMatch(/^[0-9A-Za-z._-]{20}$/);
    expect(token.authSecret).toMatch(/^[0-9A-Za-z._-]{24,31}$/);
    expect(token).toMatchObject({
      userId: 123,
      status: "Active",
      type: "ReadNodeData",
      expired: false,
      policy: { sourceIds: ["test/**"], refreshAllowed: true },
    });
    expect(token.created).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/);
    expect(Object.keys(token)).toEqual(["id", "created", "userId", "authSecret", "status", "type", "expired", "policy"]);
    const listed = await call(admin);
    expect(listed.text).not.toContain(token.authSecret);
    expect(listed.text).not.toContain("authSecret");
    // The new secret signs.
    expect((await call({ id: token.id, secret: token.authSecret }, { path: WHOAMI })).json.data.token).toBe(token.id);
    // Without a body there is no policy at all.
    expect((await generate("User")).json.data.policy).toBeUndefined();
  });

  it("sets name and description together: omitted or blank clears", async () => {
    const id = (await generate("User")).json.data.id as string;
    const info = (form: [string, string][]) => call(admin, { method: "POST", path: `${ROOT}/info`, form: [["tokenId", id], ...form] });
    const get = async () => (await call(admin, { path: `${ROOT}/find`, query: [["identifiers", id]] })).json.data.results[0];
    await info([["name", "Name"], ["description", "Desc"]]);
    expect(await get()).toMatchObject({ name: "Name", description: "Desc" });
    await info([["description", "Only"]]);
    const after = await get();
    expect(after.name).toBeUndefined();
    expect(after.description).toBe("Only");
    await info([["name", "  "], ["description", ""]]);
    expect(Object.keys(await get())).not.toContain("description");
  });

  it("changes status, and find filters by active, identifiers and types", async () => {
    const a = (await generate("ReadNodeData")).json.data.id as string;
    const b = (await generate("ReadNodeData")).json.data.id as string;
    const c = (await generate("User")).json.data.id as string;
    expect((await call(admin, { method: "POST", path: `${ROOT}/status`, form: [["tokenId", b], ["status", "Disabled"]] })).json).toEqual({ success: true });
    const find = async (query: [string, string][]) =>
      ((await call(admin, { path: `${ROOT}/find`, query })).json.data.results as Json[]).map((t) => t.id).sort();
    expect(await find([["active", "false"]])).toEqual([b]);
    expect(await find([["active", "true"]])).toEqual([admin.id, a, c].sort());
    expect(await find([["identifiers", `${a},${c}`]])).toEqual([a, c].sort());
    expect(await find([["identifiers", a], ["identifiers", b]])).toEqual([a, b].sort());
    expect(await find([["tokenTypes", "ReadNodeData"]])).toEqual([a, b].sort());
    expect(await find([["tokenTypes", "User,ReadNodeData"], ["active", "true"]])).toEqual([admin.id, a, c].sort());
    // Unknown type names are ignored, so no type criterion remains.
    expect(await find([["tokenTypes", "Nope"]])).toHaveLength(4);
    // find orders by token ID (the real SQL), the root listing by creation.
    const found = (await call(admin, { path: `${ROOT}/find` })).json.data;
    expect(found).toMatchObject({ totalResults: 4, startingOffset: 0, returnedResultCount: 4 });
    expect(found.results.map((t: Json) => t.id)).toEqual([admin.id, a, b, c].sort());
    expect((await call(admin)).json.data.map((t: Json) => t.id)).toEqual([admin.id, a, b, c]);
    const bad = await call(admin, { path: `${ROOT}/find`, query: [["active", "maybe"]] });
    expect(bad.status).toBe(422);
    expect(bad.json).toMatchObject({ success: false, code: "VAL.00004" });
  });

  it("deletes, and an unknown ID also succeeds", async () => {
    const id = (await generate("User")).json.data.id as string;
    expect((await call(admin, { method: "DELETE", query: [["tokenId", id]] })).json).toEqual({ success: true });
    expect((await call(admin)).json.data).toHaveLength(1);
    expect((await call(admin, { method: "DELETE", query: [["tokenId", id]] })).json).toEqual({ success: true });
  });

  it("marks a token expired once notAfter has passed", async () => {
    const id = (await generate("ReadNodeData", `{"notAfter":${T0 + MINUTE}}`)).json.data.id as string;
    const get = async () => (await call(admin, { path: `${ROOT}/find`, query: [["identifiers", id]] })).json.data.results[0];
    expect(await get()).toMatchObject({ expired: false, policy: { notAfter: T0 + MINUTE } });
    clock += 2 * MINUTE;
    expect((await get()).expired).toBe(true);
  });

  it("answers 422 for a bad enum, malformed JSON and a missing body, 400 for a missing argument", async () => {
    const badType = await generate("Admin");
    expect(badType.status).toBe(422);
    expect(badType.json.message).toMatch(/^Illegal argument: Method parameter 'type': .*SecurityTokenType.*\[Admin\]$/);
    const id = (await generate("User")).json.data.id as string;
    const badStatus = await call(admin, { method: "POST", path: `${ROOT}/status`, form: [["tokenId", id], ["status", "Gone"]] });
    expect(badStatus.status).toBe(422);
    expect(badStatus.json.message).toMatch(/^Illegal argument: .*SecurityTokenStatus.*\[Gone\]$/);
    const malformed = await generate("User", "{not json");
    expect(malformed.status).toBe(422);
    expect(malformed.json.message).toBe(
      "Malformed JSON: Unable to parse SecurityPolicy (not JSON)",
    );
    const notObject = await generate("User", "[1]");
    expect(notObject.json.message).toBe("Malformed JSON: Unable to parse SecurityPolicy (not an object)");
    const noBody = await call(admin, { method: "PATCH", path: `${ROOT}/policy`, query: [["tokenId", id]], json: "" });
    expect(noBody.status).toBe(422);
    expect(noBody.json.message).toMatch(/^Malformed request: Required request body is missing: .*mergePolicy/);
    const missing = await call(admin, { method: "POST", path: `${ROOT}/status`, form: [["status", "Active"]] });
    expect(missing.status).toBe(400);
    expect(missing.json).toMatchObject({ status: 400, error: "Bad Request", success: false });
    const notJson = await call(admin, { method: "PATCH", path: `${ROOT}/policy`, query: [["tokenId", id]], json: "{}", contentType: "text/plain" });
    expect(notJson.status).toBe(415);
    // Only a POST's form body is read as parameters (Tomcat): a form PATCH is signed over its body.
    const formPatch = await call(admin, { method: "PATCH", path: `${ROOT}/policy`, query: [["tokenId", id]], form: [["a", "b"]] });
    expectAuthFailure(formPatch, 403, "Bad credentials");
    expect((await call(admin, { path: `${ROOT}/nothing` })).status).toBe(404);
    expect((await call(admin, { method: "GET", path: `${ROOT}/generate/User` })).status).toBe(405);
  });

  it("refreshes a signing key unless refreshAllowed is false, and never for a future day", async () => {
    const refresh = (credential: Credential, date: string) => call(credential, { path: REFRESH, query: [["date", date]] });
    const day = "2025-09-28";
    const key = (await refresh(admin, day)).json.data.key as string;
    expect(key).toBe(deriveSigningKey(admin.secret ?? "", "20250928").toString("hex"));
    expect((await call({ id: admin.id, key: Buffer.from(key, "hex") })).status).toBe(200);
    const allowed = su.seedToken({ type: "ReadNodeData", policy: { refreshAllowed: true } });
    expect((await refresh(allowed, day)).status).toBe(200);
    const refused = su.seedToken({ type: "ReadNodeData", policy: { refreshAllowed: false } });
    expect((await refresh(refused, day)).json).toEqual({ success: false, message: "ACCESS_DENIED" });
    const future = await refresh(admin, "2025-09-30");
    expect(future.status).toBe(422);
    expect(future.json.message).toBe("Illegal argument: date parameter cannot be in the future");
    expect((await refresh(admin, "29/09/2025")).status).toBe(422);
  });
});

// ---------------------------------------------------------------------------------------------

describe("policy updates (s10k sec-tokens update examples)", () => {
  const TOKEN = "kF67p6g30eUXQICUgzQf";
  const update = (method: "PATCH" | "PUT", json: string) =>
    call(admin, { method, path: `${ROOT}/policy`, query: [["tokenId", TOKEN]], json });

  beforeEach(async () => {
    await start();
    seedAdmin();
    su.seedToken({
      type: "User",
      id: TOKEN,
      name: "Reporting: region 1",
      description: "Allow access to region 1 for reporting team.",
      policy: { nodeIds: [100, 101], sourceIds: ["/REGION1/**"], minAggregation: "Hour", refreshAllowed: true },
    });
  });

  it("merges: sets unioned, node IDs sorted, scalars kept", async () => {
    const reply = await update("PATCH", '{"nodeIds":[164,107],"sourceIds":["/REGION2/**"]}');
    expect(reply.status).toBe(200);
    expect(reply.json.data).toMatchObject({
      id: TOKEN,
      userId: 123,
      name: "Reporting: region 1",
      description: "Allow access to region 1 for reporting team.",
      status: "Active",
      type: "User",
      expired: false,
    });
    expect(reply.json.data.policy).toEqual({
      nodeIds: [100, 101, 107, 164],
      sourceIds: ["/REGION1/**", "/REGION2/**"],
      minAggregation: "Hour",
      refreshAllowed: true,
    });
    expect(reply.json.data.authSecret).toBeUndefined();
  });

  it("replaces: only what was sent remains", async () => {
    const reply = await update("PUT", '{"nodeIds":[107,164],"sourceIds":["/REGION2/**"]}');
    expect(reply.json.data.policy).toEqual({ nodeIds: [107, 164], sourceIds: ["/REGION2/**"] });
  });

  it("merge replaces scalars only when given, and cannot remove anything", async () => {
    const merged = await update("PATCH", '{"minAggregation":"Day","refreshAllowed":false,"notAfter":1893456000000}');
    expect(merged.json.data.policy).toEqual({
      nodeIds: [100, 101],
      sourceIds: ["/REGION1/**"],
      minAggregation: "Day",
      notAfter: 1893456000000,
      refreshAllowed: false,
    });
  });

  it("ignores a string notAfter, as the real codec does", async () => {
    const merged = await update("PUT", '{"notAfter":"2026-03-31T00:00:00Z","sourceIds":["/a"]}');
    expect(merged.json.data.policy).toEqual({ sourceIds: ["/a"] });
    expect(merged.json.data.expired).toBe(false);
  });

  it("keeps only the minimum aggregation, and accepts aggregation keys", async () => {
    const reply = await update("PUT", '{"minAggregation":"h","aggregations":["Day","Month"]}');
    expect(reply.json.data.policy).toEqual({ minAggregation: "Hour" });
    const sets = await update("PUT", '{"aggregations":["Day","Month","Bogus","Day"],"minLocationPrecision":"Block"}');
    expect(sets.json.data.policy).toEqual({ aggregations: ["Day", "Month"], minLocationPrecision: "Block" });
  });

  it("refuses an empty list as the real server's mis-reading does (500), so a client that sends one is caught", async () => {
    for (const body of ['{"aggregations":[],"sourceIds":["/x"]}', '{"sourceIds":["/x"],"locationPrecisions":[]}', '{"nodeIds":[]}']) {
      const failed = await update("PATCH", body);
      expect(failed.status, body).toBe(500);
      expect(failed.json).toEqual({ success: false, message: "Internal error" });
    }
  });

  it("matches the upstream web test mergePolicy / replacePolicy", async () => {
    const id = su.seedToken({ type: "ReadNodeData", policy: { nodeMetadataPaths: ["/pm/foo/**"] } }).id;
    const body = '{\n\t"sourceIds": ["test/**"],\n\t"refreshAllowed": true\n}\n';
    const merged = await call(admin, { method: "PATCH", path: `${ROOT}/policy`, query: [["tokenId", id]], json: body });
    expect(merged.json.data.policy).toEqual({ sourceIds: ["test/**"], nodeMetadataPaths: ["/pm/foo/**"], refreshAllowed: true });
    expect(Object.keys(merged.json.data.policy)).toEqual(["sourceIds", "nodeMetadataPaths", "refreshAllowed"]);
    const replaced = await call(admin, { method: "PUT", path: `${ROOT}/policy`, query: [["tokenId", id]], json: body });
    expect(replaced.json.data.policy).toEqual({ sourceIds: ["test/**"], refreshAllowed: true });
  });
});

describe("policy codec (explicit rules matching what the real server stores)", () => {
  const decoded = (json: string) => decodePolicy(json);
  it("drops unknown enum values and a notAfter that is not a positive whole number; a null minAggregation is None", () => {
    expect(decoded('{"minAggregation":"Fortnight","aggregations":["Bogus"],"minLocationPrecision":"Galaxy"}')).toEqual({ kind: "policy", policy: {} });
    expect(decoded('{"notAfter":1.5e12}')).toEqual({ kind: "policy", policy: { notAfter: 1.5e12 } });
    expect(decoded('{"notAfter":1.5}')).toEqual({ kind: "policy", policy: {} });
    expect(decoded('{"notAfter":-5}')).toEqual({ kind: "policy", policy: {} });
    expect(decoded('{"minAggregation":null}')).toEqual({ kind: "policy", policy: { minAggregation: "None" } });
    expect(decoded('{"nodeIds":[3,1,3]}')).toEqual({ kind: "policy", policy: { nodeIds: [1, 3] } });
  });

  it("ignores unknown fields; a known field of the wrong type or text that is not JSON is malformed (422)", () => {
    expect(decoded('{"foo":[1],"refreshAllowed":true}')).toEqual({ kind: "policy", policy: { refreshAllowed: true } });
    expect(decoded('{"nodeIds":["x"]}')).toMatchObject({ kind: "malformed" });
    expect(decoded('{"refreshAllowed":"true"}')).toMatchObject({ kind: "malformed" });
    expect(decoded('{"a":1')).toMatchObject({ kind: "malformed" });
    expect(decoded("[1]")).toMatchObject({ kind: "malformed" });
  });

  it("treats null as no policy and refuses empty lists", () => {
    expect(decoded("null")).toEqual({ kind: "null" });
    expect(decoded('{"apiPaths":[]}')).toEqual({ kind: "internal" });
  });

  it("builds and merges like BasicSecurityPolicy.Builder", () => {
    expect(storedPolicy({ nodeIds: [], sourceIds: ["a", "a"], aggregations: ["Day"], minAggregation: "Hour" })).toEqual({
      sourceIds: ["a"],
      minAggregation: "Hour",
    });
    expect(mergedPolicy({ aggregations: ["Day"] }, { aggregations: ["Month", "Day"] })).toEqual({ aggregations: ["Day", "Month"] });
    expect(mergedPolicy({ aggregations: ["Day"] }, { minAggregation: "Hour" })).toEqual({ minAggregation: "Hour" });
    expect(mergedPolicy(undefined, {})).toEqual({});
  });
});

// ---------------------------------------------------------------------------------------------

describe("JSON-file store", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "sn-sandbox-"));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it("survives a restart, with mode 0600 and no temporary files left", async () => {
    const file = join(dir, "nested", "tokens.json");
    await start({ store: jsonFileTokenStore(file) });
    const first = seedAdmin();
    const made = await call(first, { method: "POST", path: `${ROOT}/generate/ReadNodeData`, json: '{"nodeIds":[3,1]}' });
    const id = made.json.data.id as string;
    await call(first, { method: "POST", path: `${ROOT}/info`, form: [["tokenId", id], ["name", "kept"]] });
    await su.close();

    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readdirSync(join(dir, "nested"))).toEqual(["tokens.json"]);
    await start({ store: jsonFileTokenStore(file) });
    const listed = await call(first);
    expect(listed.status).toBe(200);
    expect(listed.json.data.map((t: Json) => [t.id, t.name, t.policy])).toEqual([
      [first.id, "admin", undefined],
      [id, "kept", { nodeIds: [1, 3] }],
    ]);
    // The new token's secret still signs after the restart.
    const secret = made.json.data.authSecret as string;
    expect((await call({ id, secret }, { path: WHOAMI })).status).toBe(200);
  });

  it("starts empty without a file, and refuses a file that does not hold sandbox tokens", () => {
    const absent = join(dir, "absent.json");
    expect(jsonFileTokenStore(absent).all()).toEqual([]);
    expect(existsSync(absent)).toBe(false);
    const other = join(dir, "other.json");
    writeFileSync(other, '{"version":2}');
    expect(() => jsonFileTokenStore(other)).toThrow(/does not hold sandbox tokens/);
    writeFileSync(other, "{oops");
    expect(() => jsonFileTokenStore(other)).toThrow(/not valid JSON/);
  });
});

// ---------------------------------------------------------------------------------------------

describe("faults", () => {
  beforeEach(async () => {
    await start();
    seedAdmin();
  });

  const tokenCount = async () => ((await call(admin)).json.data as Json[]).length;

  it("status: answers as told without processing, then the next request is normal", async () => {
    su.injectFault({ kind: "status", status: 500, body: "<html><body>Oops</body></html>", contentType: "text/html" });
    su.injectFault({ kind: "status", status: 429, headers: { "Retry-After": "7" } });
    const html = await call(admin, { method: "POST", path: `${ROOT}/generate/User` });
    expect(html.status).toBe(500);
    expect(html.headers["content-type"]).toBe("text/html");
    expect(html.text).toBe("<html><body>Oops</body></html>");
    const limited = await call(admin);
    expect(limited.status).toBe(429);
    expect(limited.headers["retry-after"]).toBe("7");
    expect(limited.json).toMatchObject({ success: false });
    expect(await tokenCount()).toBe(1);
    expect(su.requests.map((r) => r.status)).toEqual([500, 429, 200]);
  });

  it("status: malformed JSON with 200", async () => {
    su.injectFault({ kind: "status", status: 200, body: "{not json" });
    const reply = await call(admin);
    expect(reply.status).toBe(200);
    expect(reply.text).toBe("{not json");
  });

  it("matches by method and path suffix, leaving other requests alone", async () => {
    su.injectFault({ match: { method: "post", pathEndsWith: "/generate/User" }, kind: "status", status: 503 });
    expect((await call(admin)).status).toBe(200);
    expect((await call(admin, { method: "POST", path: `${ROOT}/generate/ReadNodeData` })).status).toBe(200);
    expect((await call(admin, { method: "POST", path: `${ROOT}/generate/User` })).status).toBe(503);
    expect((await call(admin, { method: "POST", path: `${ROOT}/generate/User` })).status).toBe(200);
  });

  it("reset: no reply and no change", async () => {
    su.injectFault({ kind: "reset" });
    await expect(call(admin, { method: "POST", path: `${ROOT}/generate/User` })).rejects.toThrow();
    expect(await tokenCount()).toBe(1);
    expect(su.requests[0]).toMatchObject({ method: "POST", path: `${ROOT}/generate/User`, status: 0 });
  });

  it("applyThenReset: the change is applied but no reply comes", async () => {
    su.injectFault({ kind: "applyThenReset" });
    await expect(call(admin, { method: "POST", path: `${ROOT}/generate/User` })).rejects.toThrow();
    expect(await tokenCount()).toBe(2);
  });

  it("delay: holds the reply past a short client timeout; close() does not wait for it", async () => {
    su.injectFault({ kind: "delay", ms: 10_000 });
    const started = Date.now();
    await expect(call(admin, { timeoutMs: 100 })).rejects.toThrow("client timeout");
    expect(Date.now() - started).toBeLessThan(5_000);
    su.injectFault({ kind: "delay", ms: 10 });
    expect((await call(admin)).status).toBe(200);
  });

  it("slowBody: headers arrive, then the body stalls", async () => {
    su.injectFault({ kind: "slowBody", ms: 10_000 });
    const url = new URL(su.url);
    const date = new Date(Math.floor(clock / 1000) * 1000);
    const headers = { host: url.host, "x-sn-date": httpDate(date) };
    const authorization = sign({ method: "GET", path: ROOT, parameters: [], headers, bodySha256Hex: EMPTY_SHA256_HEX }, admin.id, deriveSigningKey(admin.secret ?? "", signingDay(date)), date);
    const outcome = await new Promise<{ status: number; received: number; error: string }>((resolve) => {
      const req = httpRequest({ host: url.hostname, port: url.port, path: ROOT, headers: { ...headers, authorization }, setHost: false, agent: false }, (res) => {
        let received = 0;
        res.on("data", (chunk: Buffer) => (received += chunk.length));
        res.setTimeout?.(100);
        res.socket.setTimeout(100, () => {
          res.destroy();
          resolve({ status: res.statusCode ?? 0, received, error: "stalled" });
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, received, error: "" }));
      });
      req.end();
    });
    expect(outcome.status).toBe(200);
    expect(outcome.error).toBe("stalled");
    expect(outcome.received).toBeGreaterThan(0);
  });
});

describe("lifecycle", () => {
  it("closes idle keep-alive connections promptly", async () => {
    await start();
    seedAdmin();
    const agent = new Agent({ keepAlive: true, keepAliveMsecs: 60_000 });
    try {
      expect((await call(admin, { agent })).status).toBe(200);
      const started = Date.now();
      await su.close();
      expect(Date.now() - started).toBeLessThan(1_000);
    } finally {
      agent.destroy();
    }
  });

  it("binds a random port by default and records every request", async () => {
    await start();
    seedAdmin();
    expect(su.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    await call(admin, { path: `${ROOT}/find`, query: [["active", "true"]] });
    await send({ method: "GET", target: "/elsewhere?x=1", headers: { host: "h" } });
    expect(su.requests).toEqual([
      { method: "GET", path: `${ROOT}/find`, query: "active=true", status: 200 },
      { method: "GET", path: "/elsewhere", query: "x=1", status: 404 },
    ]);
  });

  it("never writes to the console or stderr, secrets included", async () => {
    const spies = [
      vi.spyOn(console, "log"),
      vi.spyOn(console, "error"),
      vi.spyOn(console, "warn"),
      vi.spyOn(console, "info"),
      vi.spyOn(console, "debug"),
      vi.spyOn(process.stderr, "write"),
    ];
    try {
      await start();
      seedAdmin();
      await call(admin, { method: "POST", path: `${ROOT}/generate/User`, json: "{" });
      await call({ ...admin, secret: "wrong" });
      await call(admin, { method: "PATCH", path: `${ROOT}/policy`, query: [["tokenId", "x"]], json: '{"aggregations":[]}' });
      su.injectFault({ kind: "reset" });
      await call(admin).catch(() => undefined);
      for (const spy of spies) expect(spy).not.toHaveBeenCalled();
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
  });
});
