import { describe, expect, it } from "vitest";
import {
  canonicalQuery,
  canonicalRequest,
  deriveSigningKey,
  EMPTY_SHA256_HEX,
  httpDate,
  sha256Hex,
  sign,
  signingDay,
  signingTimestamp,
  stringToSign,
  type SignableRequest,
} from "../src/backends/solarnetwork/snws2.js";
import { signingKey, utcDay } from "../src/simulators/solarnetwork/signing.js";
import type { StoredToken } from "../src/simulators/solarnetwork/store.js";
import { canonicalRequestText, verifyRequest, type ReceivedRequest } from "../src/simulators/solarnetwork/verify.js";
import { DATE_VECTORS, KEY_VECTORS, QUERY_VECTORS, SECRET, SIGNATURE_VECTORS, TOKEN, type SignatureVector } from "./support/snws2-vectors.js";

/**
 * The published SNWS2 vectors (test/support/snws2-vectors.ts), each checked by one loop against
 * both implementations: the client's signer must produce it, and the simulator's verifier, which
 * shares no code with the signer, must accept it (and refuse it with one character changed).
 */

/** The request as the client signs it. */
function signable(vector: SignatureVector): SignableRequest {
  const bodySha256Hex = vector.bodySha256Hex ?? (vector.body === undefined || vector.form ? EMPTY_SHA256_HEX : sha256Hex(vector.body));
  return { method: vector.method, path: vector.path, parameters: vector.parameters ?? [], headers: vector.headers, bodySha256Hex };
}

/** The header the vector expects: given whole, or (section C) as the server's signature of `host;x-sn-date`. */
function expectedAuthorization(vector: SignatureVector): string {
  return vector.authorization ?? `SNWS2 Credential=${vector.token},SignedHeaders=host;x-sn-date,Signature=${vector.signature}`;
}

/** The same request as the simulator receives it, with the expected Authorization header. */
function received(vector: SignatureVector, authorization: string): ReceivedRequest {
  const headers = new Map(Object.entries(vector.received ?? vector.headers).map(([name, value]) => [name.toLowerCase(), value]));
  headers.set("authorization", authorization);
  const parameters = vector.parameters ?? [];
  const query = vector.form ? [] : parameters;
  return {
    method: vector.method,
    rawPath: vector.path,
    rawQuery: query.map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(value)}`).join("&"),
    parameters,
    headers,
    body: Buffer.from(vector.body ?? ""),
    formBody: vector.form === true,
  };
}

function verified(vector: SignatureVector, authorization: string) {
  const token = vector.token ?? TOKEN;
  const stored: StoredToken = { id: token, secret: vector.secret ?? SECRET, userId: 1, type: "User", status: "Active", created: 0 };
  return verifyRequest(received(vector, authorization), { now: vector.date, lookup: (id) => (id === token ? stored : undefined), apiPath: vector.path });
}

describe.each(SIGNATURE_VECTORS)("$name", (vector) => {
  const date = new Date(vector.date);
  const authorization = expectedAuthorization(vector);

  it("the client's signer makes it", () => {
    const request = signable(vector);
    const canonical = canonicalRequest(request).text;
    if (vector.canonical !== undefined) expect(canonical).toBe(vector.canonical);
    if (vector.stringToSign !== undefined) expect(stringToSign(canonical, date)).toBe(vector.stringToSign);
    const key = vector.keyHex ? Buffer.from(vector.keyHex, "hex") : deriveSigningKey(vector.secret ?? SECRET, signingDay(date));
    expect(sign(request, vector.token ?? TOKEN, key, date)).toBe(authorization);
  });

  // A vector that gives only its body's hash cannot be sent: the simulator checks the body's digest.
  it.skipIf(vector.body === undefined && vector.bodySha256Hex !== undefined)("the simulator's verifier accepts it, and not with one character changed", () => {
    const signedHeaders = /SignedHeaders=([^,]+)/.exec(authorization)![1]!.split(";");
    if (vector.canonical !== undefined && vector.received === undefined) {
      expect(canonicalRequestText(received(vector, authorization), signedHeaders)).toBe(vector.canonical);
    }
    expect(verified(vector, authorization)).toMatchObject({ ok: true });
    const last = authorization.at(-1) === "0" ? "1" : "0";
    expect(verified(vector, authorization.slice(0, -1) + last)).toMatchObject({ ok: false, message: "Bad credentials" });
  });
});

describe.each(KEY_VECTORS)("signing key: $name", ({ secret, day, keyHex }) => {
  it("both implementations derive it", () => {
    expect(deriveSigningKey(secret, day).toString("hex")).toBe(keyHex);
    expect(signingKey(secret, day).toString("hex")).toBe(keyHex);
  });
});

describe.each(DATE_VECTORS)("date: $name", ({ date, httpDate: header, timestamp }) => {
  it("the client formats it, and both take its UTC day", () => {
    expect(httpDate(new Date(date))).toBe(header);
    if (timestamp !== undefined) expect(signingTimestamp(new Date(date))).toBe(timestamp);
    expect(utcDay(date)).toBe(signingDay(new Date(date)));
  });
});

describe.each(QUERY_VECTORS)("canonical query: $name", ({ parameters, query }) => {
  it("both implementations write it", () => {
    expect(canonicalQuery(parameters)).toBe(query);
    const request: ReceivedRequest = { method: "GET", rawPath: "/", rawQuery: "", parameters, headers: new Map(), body: Buffer.alloc(0), formBody: false };
    expect(canonicalRequestText(request, []).split("\n")[2]).toBe(query);
  });
});
