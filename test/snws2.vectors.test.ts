import { DateTime } from "luxon";
import { describe, expect, it } from "vitest";
import {
  EMPTY_SHA256_HEX,
  canonicalQuery,
  canonicalRequest,
  deriveSigningKey,
  httpDate,
  sha256Hex,
  sign,
  signingDay,
  signingTimestamp,
  stringToSign,
  type SignableRequest,
} from "../src/backends/solarnetwork/snws2.js";

/**
 * The published SNWS2 vectors in /work/shared/docs/snws2-test-vectors.md (sections A–E), every one
 * our request value can express. Section letters and upstream test names are kept in the titles.
 */

const TOKEN = "test-token-id";
const SECRET = "test-token-secret";
const DATE = new Date(Date.UTC(2017, 3, 25, 14, 30, 0));
const DATE_HEADER = "Tue, 25 Apr 2017 14:30:00 GMT";
/** Signing key for `test-token-secret` on 20170425 (A: simpleGet). */
const KEY_20170425 = "bf7885e8bd107a79f5c6e13001a4fa15fbd43221ad39ca47fde96191d302dbf4";

const lines = (...text: string[]) => text.join("\n");
const hexToBase64 = (hex: string) => Buffer.from(hex, "hex").toString("base64");

function get(path: string, headers: Record<string, string>, parameters: Array<[string, string]> = []): SignableRequest {
  return { method: "GET", path, parameters, headers, bodySha256Hex: EMPTY_SHA256_HEX };
}

/** Signs with the key derived from `secret` for the request's own UTC day. */
function signFor(request: SignableRequest, date = DATE, tokenId = TOKEN, secret = SECRET): string {
  return sign(request, tokenId, deriveSigningKey(secret, signingDay(date)), date);
}

describe("A. Java Snws2AuthorizationBuilderTests", () => {
  it("simpleGet: canonical request, signing key, string to sign and header", () => {
    const request = get("/api/test", { Host: "localhost", Date: DATE_HEADER });
    const canonical = canonicalRequest(request);
    expect(canonical.text).toBe(
      lines("GET", "/api/test", "", `date:${DATE_HEADER}`, "host:localhost", "date;host", EMPTY_SHA256_HEX),
    );
    expect(canonical.signedHeaderNames).toEqual(["date", "host"]);
    expect(deriveSigningKey(SECRET, signingDay(DATE)).toString("hex")).toBe(KEY_20170425);
    expect(stringToSign(canonical.text, DATE)).toBe(
      lines("SNWS2-HMAC-SHA256", "20170425T143000Z", "1b5cf4c03e8e85f1c08a01ea1d4bd89cc550fc964134b59bb0accf9e5dbb26bf"),
    );
    expect(signFor(request)).toBe(
      "SNWS2 Credential=test-token-id,SignedHeaders=date;host,Signature=4739139d3d370f147b6585795c309b1c6d7d7f59943081f7dd943f689cfa59a3",
    );
  });

  it("xSnDate_manual / xSnDate_toggleBefore / xSnDate_toggleAfter", () => {
    const request = get("/api/test", { host: "localhost", "X-SN-Date": DATE_HEADER });
    expect(canonicalRequest(request).text).toBe(
      lines("GET", "/api/test", "", "host:localhost", `x-sn-date:${DATE_HEADER}`, "host;x-sn-date", EMPTY_SHA256_HEX),
    );
    expect(signFor(request)).toBe(
      "SNWS2 Credential=test-token-id,SignedHeaders=host;x-sn-date,Signature=c14fe9f67560fb9a37d2aa7c40b40c260a5936f999877e2469b8ddb1da7c0eb9",
    );
  });

  it("queryParams (foo=bar, bim=bam)", () => {
    const request = get("/api/query", { host: "localhost", date: DATE_HEADER }, [
      ["foo", "bar"],
      ["bim", "bam"],
    ]);
    expect(canonicalRequest(request).text).toBe(
      lines("GET", "/api/query", "bim=bam&foo=bar", `date:${DATE_HEADER}`, "host:localhost", "date;host", EMPTY_SHA256_HEX),
    );
    expect(signFor(request)).toBe(
      "SNWS2 Credential=test-token-id,SignedHeaders=date;host,Signature=c597ed8061d9d12e12ead3d8d6fc03b28a877e8639548f31556b4760be09a4b8",
    );
  });

  it("simplePost (Digest + Content-Type, given body SHA-256)", () => {
    const bodySha256Hex = "226e49e13d16e5e8aa0d62e58cd63361bf097d3e2b2444aa3044334628a2e8de";
    const digest = `sha-256=${hexToBase64(bodySha256Hex)}`;
    const request: SignableRequest = {
      method: "POST",
      path: "/api/post",
      parameters: [],
      headers: {
        host: "localhost",
        date: DATE_HEADER,
        Digest: digest,
        "Content-Type": "application/json;charset=UTF-8",
      },
      bodySha256Hex,
    };
    expect(canonicalRequest(request).text).toBe(
      lines(
        "POST",
        "/api/post",
        "",
        "content-type:application/json;charset=UTF-8",
        `date:${DATE_HEADER}`,
        `digest:${digest}`,
        "host:localhost",
        "content-type;date;digest;host",
        bodySha256Hex,
      ),
    );
    expect(signFor(request)).toBe(
      "SNWS2 Credential=test-token-id,SignedHeaders=content-type;date;digest;host,Signature=ad609dd757c1f7f08a519919ab5e109ec61477cf612c6a0d29cac66d54c3987e",
    );
  });

  it("postJsonWithSnDate (body hashed from its JSON)", () => {
    const json = '{"hello":"world"}';
    const bodySha256Hex = sha256Hex(json);
    const request: SignableRequest = {
      method: "POST",
      path: "/api/post",
      parameters: [],
      headers: {
        host: "localhost",
        "x-sn-date": DATE_HEADER,
        "content-type": "application/json; charset=UTF-8",
        digest: `sha-256=${hexToBase64(bodySha256Hex)}`,
      },
      bodySha256Hex,
    };
    expect(signFor(request)).toBe(
      "SNWS2 Credential=test-token-id,SignedHeaders=content-type;digest;host;x-sn-date,Signature=17b50462a9db77e569bd74676c550c447be07f605f191a39ca481efaa15e9879",
    );
  });

  it("wikiExampleSigningKey (secret ABC123, day 20170101)", () => {
    const date = new Date(Date.UTC(2017, 0, 1, 0, 0, 0));
    expect(signingDay(date)).toBe("20170101");
    expect(deriveSigningKey("ABC123", signingDay(date)).toString("hex")).toBe(
      "1f96b28b651285e49d06989aebaee169fa67a5f6a07fb72a8325fce83b425ad6",
    );
  });
});

describe("B. JavaScript authV2Tests", () => {
  it("simpleGetWithNullContentType (an empty Content-Type is still signed)", () => {
    const request = get("/api/test", { host: "localhost", date: DATE_HEADER, "content-type": "" });
    expect(canonicalRequest(request).text).toBe(
      lines(
        "GET",
        "/api/test",
        "",
        "content-type:",
        `date:${DATE_HEADER}`,
        "host:localhost",
        "content-type;date;host",
        EMPTY_SHA256_HEX,
      ),
    );
    expect(signFor(request)).toBe(
      "SNWS2 Credential=test-token-id,SignedHeaders=content-type;date;host,Signature=00f309ee00978dc772cb01aba857d57983a7d3ac3b9ab8916a7702c61d6e07b6",
    );
  });

  it("simpleGet:proxy (host data.solarnetwork.net, X-SN-Date)", () => {
    const request = get("/api/test", { host: "data.solarnetwork.net", "x-sn-date": DATE_HEADER });
    expect(canonicalRequest(request).text).toBe(
      lines(
        "GET",
        "/api/test",
        "",
        "host:data.solarnetwork.net",
        `x-sn-date:${DATE_HEADER}`,
        "host;x-sn-date",
        EMPTY_SHA256_HEX,
      ),
    );
    expect(signFor(request)).toBe(
      "SNWS2 Credential=test-token-id,SignedHeaders=host;x-sn-date,Signature=e70f99fd237e74912ac594b70bda27a84c1d41c4a3c7050d80c729496c7bff1f",
    );
  });

  it("key:set / key:set:reqDate (an external signing key, never the secret)", () => {
    const request = get("/test/path", { host: "data.solarnetwork.net", "x-sn-date": DATE_HEADER });
    expect(sign(request, TOKEN, Buffer.from(KEY_20170425, "hex"), DATE)).toBe(
      "SNWS2 Credential=test-token-id,SignedHeaders=host;x-sn-date,Signature=79cb002ee35b5cfe2d54421de6550cdcfc39c9defae874cc93ee74e426e81c23",
    );
  });

  it("queryParamsWithEscapedCharacters (foo=/path/*)", () => {
    const request = get("/api/query", { host: "localhost", "x-sn-date": DATE_HEADER }, [["foo", "/path/*"]]);
    expect(canonicalRequest(request).text).toBe(
      lines(
        "GET",
        "/api/query",
        "foo=%2Fpath%2F%2A",
        "host:localhost",
        `x-sn-date:${DATE_HEADER}`,
        "host;x-sn-date",
        EMPTY_SHA256_HEX,
      ),
    );
    expect(signFor(request)).toBe(
      "SNWS2 Credential=test-token-id,SignedHeaders=host;x-sn-date,Signature=6e5ae54fe70543a590335a5ab9a29dc089dba4ac75fe15875e716f226c74b6e0",
    );
  });

  it("url, url:httpsStandardPort, url:httpsImpliedPort, url:wssStandardPort (host example.com)", () => {
    const request = get("/path", { host: "example.com", date: DATE_HEADER });
    expect(canonicalRequest(request).text).toBe(
      lines("GET", "/path", "", `date:${DATE_HEADER}`, "host:example.com", "date;host", EMPTY_SHA256_HEX),
    );
    expect(signFor(request)).toBe(
      "SNWS2 Credential=test-token-id,SignedHeaders=date;host,Signature=0ba4f4469e9e0d48b7ca046e189032881c08e67a00c007fadb00242c4301fe31",
    );
  });

  it("url:withoutHost (default host data.solarnetwork.net)", () => {
    expect(signFor(get("/path", { host: "data.solarnetwork.net", date: DATE_HEADER }))).toBe(
      "SNWS2 Credential=test-token-id,SignedHeaders=date;host,Signature=1fdfdc7954cb386b97991736cf70c0c8e86c9d6ea28c74e9333678f03c075730",
    );
  });

  it("url:queryParams (https://example.com:8443/path?foo=bar&bim=bam)", () => {
    const request = get("/path", { host: "example.com:8443", date: DATE_HEADER }, [
      ["foo", "bar"],
      ["bim", "bam"],
    ]);
    expect(canonicalRequest(request).text).toBe(
      lines("GET", "/path", "bim=bam&foo=bar", `date:${DATE_HEADER}`, "host:example.com:8443", "date;host", EMPTY_SHA256_HEX),
    );
    expect(signFor(request)).toBe(
      "SNWS2 Credential=test-token-id,SignedHeaders=date;host,Signature=c3a429e748d2ecd1f734c5a9f562e0c353f4a0d9a48a9492c0637178bb1f15dc",
    );
  });

  it("url:httpsImpliedPort:forced:https (host example.com:443)", () => {
    expect(signFor(get("/path", { host: "example.com:443", date: DATE_HEADER }))).toBe(
      "SNWS2 Credential=test-token-id,SignedHeaders=date;host,Signature=5691e0f9366084fd81d50bba679e6c57fbbc85faca87a154ad3e1b29afb2e818",
    );
  });

  it("url:wsNonStandardPort (host example.com:8080)", () => {
    expect(signFor(get("/path", { host: "example.com:8080", date: DATE_HEADER }))).toBe(
      "SNWS2 Credential=test-token-id,SignedHeaders=date;host,Signature=6d5ca23447d47afaee7b4e42680b3a6bfaf0e23aa410d2b9f27f54f14d63f7a7",
    );
  });

  it("simplePost:contentMD5 (Content-MD5 is signed too)", () => {
    const bodySha256Hex = "226e49e13d16e5e8aa0d62e58cd63361bf097d3e2b2444aa3044334628a2e8de";
    const request: SignableRequest = {
      method: "POST",
      path: "/api/post",
      parameters: [],
      headers: {
        "Content-MD5": "foobar",
        "Content-Type": "application/json;charset=UTF-8",
        Date: DATE_HEADER,
        Host: "localhost",
      },
      bodySha256Hex,
    };
    expect(canonicalRequest(request).text).toBe(
      lines(
        "POST",
        "/api/post",
        "",
        "content-md5:foobar",
        "content-type:application/json;charset=UTF-8",
        `date:${DATE_HEADER}`,
        "host:localhost",
        "content-md5;content-type;date;host",
        bodySha256Hex,
      ),
    );
    expect(signFor(request)).toBe(
      "SNWS2 Credential=test-token-id,SignedHeaders=content-md5;content-type;date;host,Signature=c031b1470d2410d60676996380c3bdc5f7edf289f724fb1b5fa1a29dce02ea57",
    );
  });

  it("simplePostWithComputedDigest (text/plain body 'Hello.')", () => {
    const bodySha256Hex = sha256Hex("Hello.");
    expect(bodySha256Hex).toBe("2d8bd7d9bb5f85ba643f0110d50cb506a1fe439e769a22503193ea6046bb87f7");
    const digest = `sha-256=${hexToBase64(bodySha256Hex)}`;
    const request: SignableRequest = {
      method: "POST",
      path: "/api/post",
      parameters: [],
      headers: { host: "localhost", date: DATE_HEADER, "content-type": "text/plain;charset=UTF-8", digest },
      bodySha256Hex,
    };
    const canonical = canonicalRequest(request);
    expect(canonical.text).toBe(
      lines(
        "POST",
        "/api/post",
        "",
        "content-type:text/plain;charset=UTF-8",
        `date:${DATE_HEADER}`,
        `digest:${digest}`,
        "host:localhost",
        "content-type;date;digest;host",
        bodySha256Hex,
      ),
    );
    expect(stringToSign(canonical.text, DATE)).toBe(lines("SNWS2-HMAC-SHA256", "20170425T143000Z", sha256Hex(canonical.text)));
    expect(signFor(request)).toBe(
      "SNWS2 Credential=test-token-id,SignedHeaders=content-type;date;digest;host,Signature=3da29e2ceb916ad31b4ffe920afcf94c879d0c4abaaed92941875ac4549f3cf6",
    );
  });

  it("requestDateHeaderValue", () => {
    expect(httpDate(DATE)).toBe(DATE_HEADER);
  });
});

describe("C. Server-side AuthenticationDataV2Tests (the host the server canonicalises)", () => {
  const serverDate = new Date(1502340082000);
  const serverRequest = (host: string) =>
    get("/mock/path/here", { host, "x-sn-date": httpDate(serverDate) });
  const serverSignature = (host: string) => {
    const header = signFor(serverRequest(host), serverDate, "12345678901234567890", "lsdjfpse9jfoeijfe09j");
    expect(header.startsWith("SNWS2 Credential=12345678901234567890,SignedHeaders=host;x-sn-date,Signature=")).toBe(true);
    return header.slice(header.lastIndexOf("=") + 1);
  };

  it("dates the request Thu, 10 Aug 2017 04:41:22 GMT", () => {
    expect(httpDate(serverDate)).toBe("Thu, 10 Aug 2017 04:41:22 GMT");
  });

  it.each([
    ["simplePathNonStandardPort", "localhost:8080", "0574baabdb8c97c0961d04f1a3e9a328dde3219b3898982af18b0c9675463fb1"],
    ["simplePathHttpsThroughProxy", "localhost:443", "85028cb8b15bc3a7557aa9607c419697e0a942a95511728318e290c1d27ffd41"],
    [
      "simplePathHttpsNonStandardPortThroughProxy",
      "localhost:8443",
      "409bc3bd69fd95d6b67fe7cde94ae412221d61a92ee52dc3bfc82ae535f9f8a9",
    ],
    ["simplePathHttpThroughProxy", "localhost", "9584e63cd1c3e8e6fd007b982f99ffb63a6feb8a9db06bd3f4879bf7867a290f"],
    [
      "simplePathHttpNonStandardPortThroughProxy",
      "localhost:8080",
      "0574baabdb8c97c0961d04f1a3e9a328dde3219b3898982af18b0c9675463fb1",
    ],
  ])("%s (host %s)", (_name, host, expected) => {
    expect(serverSignature(host)).toBe(expected);
  });
});

describe("D. Date formatting (AuthorizationUtilsTests, AuthenticationUtilsTests)", () => {
  it("2021-08-13 13:55:12.123 UTC: whole-second timestamp and HTTP date", () => {
    const date = new Date(Date.UTC(2021, 7, 13, 13, 55, 12, 123));
    expect(signingTimestamp(date)).toBe("20210813T135512Z");
    expect(httpDate(date)).toBe("Fri, 13 Aug 2021 13:55:12 GMT");
  });

  it("2024-09-03 17:45 Pacific/Auckland: 3-letter month, UTC day and time", () => {
    const date = DateTime.fromObject(
      { year: 2024, month: 9, day: 3, hour: 17, minute: 45 },
      { zone: "Pacific/Auckland" },
    ).toJSDate();
    expect(httpDate(date)).toBe("Tue, 03 Sep 2024 05:45:00 GMT");
    expect(signingTimestamp(date)).toBe("20240903T054500Z");
    expect(signingDay(date)).toBe("20240903");
  });
});

describe("E. Derived token-endpoint vectors (not upstream)", () => {
  const host = "data.solarnetwork.net";

  it("GET auth-tokens/find?active=true&tokenTypes=ReadNodeData", () => {
    const request = get("/solaruser/api/v1/sec/user/auth-tokens/find", { host, "x-sn-date": DATE_HEADER }, [
      ["active", "true"],
      ["tokenTypes", "ReadNodeData"],
    ]);
    expect(canonicalRequest(request).text).toBe(
      "GET\n/solaruser/api/v1/sec/user/auth-tokens/find\nactive=true&tokenTypes=ReadNodeData\nhost:data.solarnetwork.net\nx-sn-date:Tue, 25 Apr 2017 14:30:00 GMT\nhost;x-sn-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    );
    expect(deriveSigningKey(SECRET, signingDay(DATE)).toString("hex")).toBe(KEY_20170425);
    expect(signFor(request)).toBe(
      "SNWS2 Credential=test-token-id,SignedHeaders=host;x-sn-date,Signature=95281958bd24033f5406c420667fcfd2404a6ec6f6e8046be50c48f13364f8b1",
    );
  });

  it("PATCH auth-tokens/policy?tokenId=… with a JSON body and Digest", () => {
    const body = '{"sourceIds":["/REGION2/**"]}';
    const bodySha256Hex = sha256Hex(body);
    expect(bodySha256Hex).toBe("5953bd1630d81f44a294379ac2273ba598243d5b576ea6dd3441bc566cc8b7cc");
    const digest = `sha-256=${hexToBase64(bodySha256Hex)}`;
    expect(digest).toBe("sha-256=WVO9FjDYH0SilDeawic7pZgkPVtXbqbdNEG8VmzIt8w=");
    const request: SignableRequest = {
      method: "PATCH",
      path: "/solaruser/api/v1/sec/user/auth-tokens/policy",
      parameters: [["tokenId", "hNAdH.aXHaEqFossMwT8"]],
      headers: { "content-type": "application/json;charset=UTF-8", digest, host, "x-sn-date": DATE_HEADER },
      bodySha256Hex,
    };
    expect(canonicalRequest(request).text).toBe(
      "PATCH\n/solaruser/api/v1/sec/user/auth-tokens/policy\ntokenId=hNAdH.aXHaEqFossMwT8\ncontent-type:application/json;charset=UTF-8\ndigest:sha-256=WVO9FjDYH0SilDeawic7pZgkPVtXbqbdNEG8VmzIt8w=\nhost:data.solarnetwork.net\nx-sn-date:Tue, 25 Apr 2017 14:30:00 GMT\ncontent-type;digest;host;x-sn-date\n5953bd1630d81f44a294379ac2273ba598243d5b576ea6dd3441bc566cc8b7cc",
    );
    expect(signFor(request)).toBe(
      "SNWS2 Credential=test-token-id,SignedHeaders=content-type;digest;host;x-sn-date,Signature=e923ea4fc8d16b369d30a0203aefcb38b1a177df7c2ea2d5219899844af0de93",
    );
  });

  it("POST auth-tokens/status with a form body: fields in the canonical query, empty body hash", () => {
    const request: SignableRequest = {
      method: "POST",
      path: "/solaruser/api/v1/sec/user/auth-tokens/status",
      parameters: [
        ["tokenId", "hNAdH.aXHaEqFossMwT8"],
        ["status", "Disabled"],
      ],
      headers: { "content-type": "application/x-www-form-urlencoded;charset=UTF-8", host, "x-sn-date": DATE_HEADER },
      bodySha256Hex: EMPTY_SHA256_HEX,
    };
    expect(canonicalRequest(request).text).toBe(
      "POST\n/solaruser/api/v1/sec/user/auth-tokens/status\nstatus=Disabled&tokenId=hNAdH.aXHaEqFossMwT8\ncontent-type:application/x-www-form-urlencoded;charset=UTF-8\nhost:data.solarnetwork.net\nx-sn-date:Tue, 25 Apr 2017 14:30:00 GMT\ncontent-type;host;x-sn-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    );
    expect(signFor(request)).toBe(
      "SNWS2 Credential=test-token-id,SignedHeaders=content-type;host;x-sn-date,Signature=2c64bb7fcaf6ed793317984e7d422ce3d7a28e1b371faeb767ac0d26f86034a3",
    );
  });

  it("canonical query of the server's pathWithQueryParamsNeedingURIEscape parameters", () => {
    expect(
      canonicalQuery([
        ["/foo/bar", "bam!"],
        ["bar.bim[1][blah]", "foo yes!"],
        ["zog", "dog"],
      ]),
    ).toBe("%2Ffoo%2Fbar=bam%21&bar.bim%5B1%5D%5Bblah%5D=foo%20yes%21&zog=dog");
    // Sorting is by name, not by sent order.
    expect(
      canonicalQuery([
        ["zog", "dog"],
        ["bar.bim[1][blah]", "foo yes!"],
        ["/foo/bar", "bam!"],
      ]),
    ).toBe("%2Ffoo%2Fbar=bam%21&bar.bim%5B1%5D%5Bblah%5D=foo%20yes%21&zog=dog");
  });

  it("a key derived for 20170425 signs a request dated 28 Apr 2017 with that request's timestamp", () => {
    const date = new Date(Date.UTC(2017, 3, 28, 9, 15, 0));
    expect(httpDate(date)).toBe("Fri, 28 Apr 2017 09:15:00 GMT");
    const request = get("/solarquery/api/v1/sec/auth-tokens/refresh/v2", { host, "x-sn-date": httpDate(date) }, [
      ["date", "2017-04-28"],
    ]);
    expect(stringToSign(canonicalRequest(request).text, date)).toBe(
      "SNWS2-HMAC-SHA256\n20170428T091500Z\n9424c30f8d098faa8613dcac1bbbc64e22efa54c92fbc4b0aa0ba9f4ae8766f3",
    );
    const earlierKey = deriveSigningKey(SECRET, "20170425");
    expect(earlierKey.toString("hex")).toBe(KEY_20170425);
    const expected =
      "SNWS2 Credential=test-token-id,SignedHeaders=host;x-sn-date,Signature=18d2b957441a4512f9c61d0851f9ff6155f26187deeb2f8b2a8028cd005d2bfd";
    expect(sign(request, TOKEN, earlierKey, date)).toBe(expected);
    expect(sign(request, TOKEN, Buffer.from(KEY_20170425, "hex"), date)).toBe(expected);
    // The request's own day gives a different key and so a different (equally valid) signature.
    expect(deriveSigningKey(SECRET, signingDay(date)).toString("hex")).toBe(
      "7e39ff4e52d34fc23858435286b064936b3303f698a1a1637e8ea916a0824b37",
    );
    expect(signFor(request, date)).not.toBe(expected);
  });
});
