/**
 * The published SNWS2 vectors of shared/docs/snws2-test-vectors.md (sections A–E) as data, every
 * one a request value can express; section letters and upstream test names are kept in the names.
 * test/snws2.vectors.test.ts checks each against the client's signer and the simulator's verifier.
 */

export const TOKEN = "test-token-id";
export const SECRET = "test-token-secret";
const DATE = Date.UTC(2017, 3, 25, 14, 30, 0);
const DATE_HEADER = "Tue, 25 Apr 2017 14:30:00 GMT";
const EMPTY = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
/** Signing key for `test-token-secret` on 20170425 (A: simpleGet). */
export const KEY_20170425 = "bf7885e8bd107a79f5c6e13001a4fa15fbd43221ad39ca47fde96191d302dbf4";
const JSON_BODY_SHA = "226e49e13d16e5e8aa0d62e58cd63361bf097d3e2b2444aa3044334628a2e8de";
const hexToBase64 = (hex: string) => Buffer.from(hex, "hex").toString("base64");

export interface SignatureVector {
  name: string;
  method: string;
  path: string;
  parameters?: [string, string][];
  /** The headers the client signs, as given (any case). */
  headers: Record<string, string>;
  /** The headers the server receives instead, where a proxy stands between (section C). */
  received?: Record<string, string>;
  /** The body when the vector gives it; the simulator verifies only such vectors (and bodiless ones). */
  body?: string;
  /** The body's SHA-256 when the vector gives only that. */
  bodySha256Hex?: string;
  /** Form fields sent as the body (they are signed as parameters). */
  form?: boolean;
  date: number;
  token?: string;
  secret?: string;
  /** The signing key given instead of derived for the request's own day. */
  keyHex?: string;
  canonical?: string;
  stringToSign?: string;
  /** The whole Authorization header, or (section C) the signature alone. */
  authorization?: string;
  signature?: string;
}

export const SIGNATURE_VECTORS: SignatureVector[] = [
  {
    name: "A simpleGet",
    method: "GET", path: "/api/test", headers: { Host: "localhost", Date: DATE_HEADER }, date: DATE,
    canonical: `GET\n/api/test\n\ndate:${DATE_HEADER}\nhost:localhost\ndate;host\n${EMPTY}`,
    stringToSign: "SNWS2-HMAC-SHA256\n20170425T143000Z\n1b5cf4c03e8e85f1c08a01ea1d4bd89cc550fc964134b59bb0accf9e5dbb26bf",
    authorization: "SNWS2 Credential=test-token-id,SignedHeaders=date;host,Signature=4739139d3d370f147b6585795c309b1c6d7d7f59943081f7dd943f689cfa59a3",
  },
  {
    name: "A xSnDate_manual / xSnDate_toggleBefore / xSnDate_toggleAfter",
    method: "GET", path: "/api/test", headers: { host: "localhost", "X-SN-Date": DATE_HEADER }, date: DATE,
    canonical: `GET\n/api/test\n\nhost:localhost\nx-sn-date:${DATE_HEADER}\nhost;x-sn-date\n${EMPTY}`,
    authorization: "SNWS2 Credential=test-token-id,SignedHeaders=host;x-sn-date,Signature=c14fe9f67560fb9a37d2aa7c40b40c260a5936f999877e2469b8ddb1da7c0eb9",
  },
  {
    name: "A queryParams (foo=bar, bim=bam)",
    method: "GET", path: "/api/query", parameters: [["foo", "bar"], ["bim", "bam"]], headers: { host: "localhost", date: DATE_HEADER }, date: DATE,
    canonical: `GET\n/api/query\nbim=bam&foo=bar\ndate:${DATE_HEADER}\nhost:localhost\ndate;host\n${EMPTY}`,
    authorization: "SNWS2 Credential=test-token-id,SignedHeaders=date;host,Signature=c597ed8061d9d12e12ead3d8d6fc03b28a877e8639548f31556b4760be09a4b8",
  },
  {
    name: "A simplePost (Digest + Content-Type, given body SHA-256)",
    method: "POST", path: "/api/post", bodySha256Hex: JSON_BODY_SHA, date: DATE,
    headers: { host: "localhost", date: DATE_HEADER, Digest: `sha-256=${hexToBase64(JSON_BODY_SHA)}`, "Content-Type": "application/json;charset=UTF-8" },
    canonical: `POST\n/api/post\n\ncontent-type:application/json;charset=UTF-8\ndate:${DATE_HEADER}\ndigest:sha-256=${hexToBase64(JSON_BODY_SHA)}\nhost:localhost\ncontent-type;date;digest;host\n${JSON_BODY_SHA}`,
    authorization: "SNWS2 Credential=test-token-id,SignedHeaders=content-type;date;digest;host,Signature=ad609dd757c1f7f08a519919ab5e109ec61477cf612c6a0d29cac66d54c3987e",
  },
  {
    name: "A postJsonWithSnDate (body hashed from its JSON)",
    method: "POST", path: "/api/post", body: '{"hello":"world"}', date: DATE,
    headers: {
      host: "localhost", "x-sn-date": DATE_HEADER, "content-type": "application/json; charset=UTF-8",
      digest: "sha-256=k6I5cakU5erL8KjSUVTNownDwccvu5kU1Hxg88toFYg=",
    },
    authorization: "SNWS2 Credential=test-token-id,SignedHeaders=content-type;digest;host;x-sn-date,Signature=17b50462a9db77e569bd74676c550c447be07f605f191a39ca481efaa15e9879",
  },
  {
    name: "B simpleGetWithNullContentType (an empty Content-Type is still signed)",
    method: "GET", path: "/api/test", headers: { host: "localhost", date: DATE_HEADER, "content-type": "" }, date: DATE,
    canonical: `GET\n/api/test\n\ncontent-type:\ndate:${DATE_HEADER}\nhost:localhost\ncontent-type;date;host\n${EMPTY}`,
    authorization: "SNWS2 Credential=test-token-id,SignedHeaders=content-type;date;host,Signature=00f309ee00978dc772cb01aba857d57983a7d3ac3b9ab8916a7702c61d6e07b6",
  },
  {
    name: "B simpleGet:proxy (host data.solarnetwork.net, X-SN-Date)",
    method: "GET", path: "/api/test", headers: { host: "data.solarnetwork.net", "x-sn-date": DATE_HEADER }, date: DATE,
    canonical: `GET\n/api/test\n\nhost:data.solarnetwork.net\nx-sn-date:${DATE_HEADER}\nhost;x-sn-date\n${EMPTY}`,
    authorization: "SNWS2 Credential=test-token-id,SignedHeaders=host;x-sn-date,Signature=e70f99fd237e74912ac594b70bda27a84c1d41c4a3c7050d80c729496c7bff1f",
  },
  {
    name: "B key:set / key:set:reqDate (an external signing key, never the secret)",
    method: "GET", path: "/test/path", headers: { host: "data.solarnetwork.net", "x-sn-date": DATE_HEADER }, date: DATE, keyHex: KEY_20170425,
    authorization: "SNWS2 Credential=test-token-id,SignedHeaders=host;x-sn-date,Signature=79cb002ee35b5cfe2d54421de6550cdcfc39c9defae874cc93ee74e426e81c23",
  },
  {
    name: "B queryParamsWithEscapedCharacters (foo=/path/*)",
    method: "GET", path: "/api/query", parameters: [["foo", "/path/*"]], headers: { host: "localhost", "x-sn-date": DATE_HEADER }, date: DATE,
    canonical: `GET\n/api/query\nfoo=%2Fpath%2F%2A\nhost:localhost\nx-sn-date:${DATE_HEADER}\nhost;x-sn-date\n${EMPTY}`,
    authorization: "SNWS2 Credential=test-token-id,SignedHeaders=host;x-sn-date,Signature=6e5ae54fe70543a590335a5ab9a29dc089dba4ac75fe15875e716f226c74b6e0",
  },
  {
    name: "B url, url:httpsStandardPort, url:httpsImpliedPort, url:wssStandardPort (host example.com)",
    method: "GET", path: "/path", headers: { host: "example.com", date: DATE_HEADER }, date: DATE,
    canonical: `GET\n/path\n\ndate:${DATE_HEADER}\nhost:example.com\ndate;host\n${EMPTY}`,
    authorization: "SNWS2 Credential=test-token-id,SignedHeaders=date;host,Signature=0ba4f4469e9e0d48b7ca046e189032881c08e67a00c007fadb00242c4301fe31",
  },
  {
    name: "B url:withoutHost (default host data.solarnetwork.net)",
    method: "GET", path: "/path", headers: { host: "data.solarnetwork.net", date: DATE_HEADER }, date: DATE,
    authorization: "SNWS2 Credential=test-token-id,SignedHeaders=date;host,Signature=1fdfdc7954cb386b97991736cf70c0c8e86c9d6ea28c74e9333678f03c075730",
  },
  {
    name: "B url:queryParams (https://example.com:8443/path?foo=bar&bim=bam)",
    method: "GET", path: "/path", parameters: [["foo", "bar"], ["bim", "bam"]], headers: { host: "example.com:8443", date: DATE_HEADER }, date: DATE,
    canonical: `GET\n/path\nbim=bam&foo=bar\ndate:${DATE_HEADER}\nhost:example.com:8443\ndate;host\n${EMPTY}`,
    authorization: "SNWS2 Credential=test-token-id,SignedHeaders=date;host,Signature=c3a429e748d2ecd1f734c5a9f562e0c353f4a0d9a48a9492c0637178bb1f15dc",
  },
  {
    name: "B url:httpsImpliedPort:forced:https (host example.com:443)",
    method: "GET", path: "/path", headers: { host: "example.com:443", date: DATE_HEADER }, date: DATE,
    authorization: "SNWS2 Credential=test-token-id,SignedHeaders=date;host,Signature=5691e0f9366084fd81d50bba679e6c57fbbc85faca87a154ad3e1b29afb2e818",
  },
  {
    name: "B url:wsNonStandardPort (host example.com:8080)",
    method: "GET", path: "/path", headers: { host: "example.com:8080", date: DATE_HEADER }, date: DATE,
    authorization: "SNWS2 Credential=test-token-id,SignedHeaders=date;host,Signature=6d5ca23447d47afaee7b4e42680b3a6bfaf0e23aa410d2b9f27f54f14d63f7a7",
  },
  {
    name: "B simplePost:contentMD5 (Content-MD5 is signed too)",
    method: "POST", path: "/api/post", bodySha256Hex: JSON_BODY_SHA, date: DATE,
    headers: { "Content-MD5": "foobar", "Content-Type": "application/json;charset=UTF-8", Date: DATE_HEADER, Host: "localhost" },
    canonical: `POST\n/api/post\n\ncontent-md5:foobar\ncontent-type:application/json;charset=UTF-8\ndate:${DATE_HEADER}\nhost:localhost\ncontent-md5;content-type;date;host\n${JSON_BODY_SHA}`,
    authorization: "SNWS2 Credential=test-token-id,SignedHeaders=content-md5;content-type;date;host,Signature=c031b1470d2410d60676996380c3bdc5f7edf289f724fb1b5fa1a29dce02ea57",
  },
  {
    name: "B simplePostWithComputedDigest (text/plain body 'Hello.')",
    method: "POST", path: "/api/post", body: "Hello.", date: DATE,
    headers: { host: "localhost", date: DATE_HEADER, "content-type": "text/plain;charset=UTF-8", digest: `sha-256=${hexToBase64("2d8bd7d9bb5f85ba643f0110d50cb506a1fe439e769a22503193ea6046bb87f7")}` },
    canonical: `POST\n/api/post\n\ncontent-type:text/plain;charset=UTF-8\ndate:${DATE_HEADER}\ndigest:sha-256=${hexToBase64("2d8bd7d9bb5f85ba643f0110d50cb506a1fe439e769a22503193ea6046bb87f7")}\nhost:localhost\ncontent-type;date;digest;host\n2d8bd7d9bb5f85ba643f0110d50cb506a1fe439e769a22503193ea6046bb87f7`,
    authorization: "SNWS2 Credential=test-token-id,SignedHeaders=content-type;date;digest;host,Signature=3da29e2ceb916ad31b4ffe920afcf94c879d0c4abaaed92941875ac4549f3cf6",
  },
  ...(
    [
      ["simplePathNonStandardPort", "localhost:8080", { host: "localhost:8080" }, "0574baabdb8c97c0961d04f1a3e9a328dde3219b3898982af18b0c9675463fb1"],
      ["simplePathHttpsThroughProxy", "localhost:443", { host: "localhost", "x-forwarded-proto": "https", "x-forwarded-port": "443" }, "85028cb8b15bc3a7557aa9607c419697e0a942a95511728318e290c1d27ffd41"],
      ["simplePathHttpsNonStandardPortThroughProxy", "localhost:8443", { host: "localhost", "x-forwarded-proto": "https", "x-forwarded-port": "8443" }, "409bc3bd69fd95d6b67fe7cde94ae412221d61a92ee52dc3bfc82ae535f9f8a9"],
      ["simplePathHttpThroughProxy", "localhost", { host: "localhost", "x-forwarded-proto": "http", "x-forwarded-port": "80" }, "9584e63cd1c3e8e6fd007b982f99ffb63a6feb8a9db06bd3f4879bf7867a290f"],
      ["simplePathHttpNonStandardPortThroughProxy", "localhost:8080", { host: "localhost", "x-forwarded-proto": "http", "x-forwarded-port": "8080" }, "0574baabdb8c97c0961d04f1a3e9a328dde3219b3898982af18b0c9675463fb1"],
    ] as const
  ).map(([name, host, received, signature]): SignatureVector => ({
    name: `C ${name} (the server canonicalises host ${host})`,
    method: "GET", path: "/mock/path/here", date: 1502340082000, token: "12345678901234567890", secret: "lsdjfpse9jfoeijfe09j",
    headers: { host, "x-sn-date": "Thu, 10 Aug 2017 04:41:22 GMT" },
    received: { ...received, "x-sn-date": "Thu, 10 Aug 2017 04:41:22 GMT" },
    signature,
  })),
  {
    name: "E GET auth-tokens/find?active=true&tokenTypes=ReadNodeData",
    method: "GET", path: "/solaruser/api/v1/sec/user/auth-tokens/find", parameters: [["active", "true"], ["tokenTypes", "ReadNodeData"]],
    headers: { host: "data.solarnetwork.net", "x-sn-date": DATE_HEADER }, date: DATE,
    canonical: `GET\n/solaruser/api/v1/sec/user/auth-tokens/find\nactive=true&tokenTypes=ReadNodeData\nhost:data.solarnetwork.net\nx-sn-date:${DATE_HEADER}\nhost;x-sn-date\n${EMPTY}`,
    authorization: "SNWS2 Credential=test-token-id,SignedHeaders=host;x-sn-date,Signature=95281958bd24033f5406c420667fcfd2404a6ec6f6e8046be50c48f13364f8b1",
  },
  {
    name: "E PATCH auth-tokens/policy?tokenId=… with a JSON body and Digest",
    method: "PATCH", path: "/solaruser/api/v1/sec/user/auth-tokens/policy", parameters: [["tokenId", "hNAdH.aXHaEqFossMwT8"]],
    body: '{"sourceIds":["/REGION2/**"]}', date: DATE,
    headers: { "content-type": "application/json;charset=UTF-8", digest: "sha-256=WVO9FjDYH0SilDeawic7pZgkPVtXbqbdNEG8VmzIt8w=", host: "data.solarnetwork.net", "x-sn-date": DATE_HEADER },
    canonical: `PATCH\n/solaruser/api/v1/sec/user/auth-tokens/policy\ntokenId=hNAdH.aXHaEqFossMwT8\ncontent-type:application/json;charset=UTF-8\ndigest:sha-256=WVO9FjDYH0SilDeawic7pZgkPVtXbqbdNEG8VmzIt8w=\nhost:data.solarnetwork.net\nx-sn-date:${DATE_HEADER}\ncontent-type;digest;host;x-sn-date\n5953bd1630d81f44a294379ac2273ba598243d5b576ea6dd3441bc566cc8b7cc`,
    authorization: "SNWS2 Credential=test-token-id,SignedHeaders=content-type;digest;host;x-sn-date,Signature=e923ea4fc8d16b369d30a0203aefcb38b1a177df7c2ea2d5219899844af0de93",
  },
  {
    name: "E POST auth-tokens/status with a form body: fields in the canonical query, empty body hash",
    method: "POST", path: "/solaruser/api/v1/sec/user/auth-tokens/status", parameters: [["tokenId", "hNAdH.aXHaEqFossMwT8"], ["status", "Disabled"]], form: true,
    body: "tokenId=hNAdH.aXHaEqFossMwT8&status=Disabled", date: DATE,
    headers: { "content-type": "application/x-www-form-urlencoded;charset=UTF-8", host: "data.solarnetwork.net", "x-sn-date": DATE_HEADER },
    canonical: `POST\n/solaruser/api/v1/sec/user/auth-tokens/status\nstatus=Disabled&tokenId=hNAdH.aXHaEqFossMwT8\ncontent-type:application/x-www-form-urlencoded;charset=UTF-8\nhost:data.solarnetwork.net\nx-sn-date:${DATE_HEADER}\ncontent-type;host;x-sn-date\n${EMPTY}`,
    authorization: "SNWS2 Credential=test-token-id,SignedHeaders=content-type;host;x-sn-date,Signature=2c64bb7fcaf6ed793317984e7d422ce3d7a28e1b371faeb767ac0d26f86034a3",
  },
  {
    name: "E a key derived for 20170425 signs a request dated 28 Apr 2017 with that request's timestamp",
    method: "GET", path: "/solarquery/api/v1/sec/auth-tokens/refresh/v2", parameters: [["date", "2017-04-28"]],
    headers: { host: "data.solarnetwork.net", "x-sn-date": "Fri, 28 Apr 2017 09:15:00 GMT" }, date: Date.UTC(2017, 3, 28, 9, 15, 0), keyHex: KEY_20170425,
    stringToSign: "SNWS2-HMAC-SHA256\n20170428T091500Z\n9424c30f8d098faa8613dcac1bbbc64e22efa54c92fbc4b0aa0ba9f4ae8766f3",
    authorization: "SNWS2 Credential=test-token-id,SignedHeaders=host;x-sn-date,Signature=18d2b957441a4512f9c61d0851f9ff6155f26187deeb2f8b2a8028cd005d2bfd",
  },
];

/** Signing keys: a secret and a UTC day. */
export const KEY_VECTORS: { name: string; secret: string; day: string; keyHex: string }[] = [
  { name: "A simpleGet", secret: SECRET, day: "20170425", keyHex: KEY_20170425 },
  { name: "A wikiExampleSigningKey", secret: "ABC123", day: "20170101", keyHex: "1f96b28b651285e49d06989aebaee169fa67a5f6a07fb72a8325fce83b425ad6" },
  { name: "E the key refresh?date=2017-04-28 returns", secret: SECRET, day: "20170428", keyHex: "7e39ff4e52d34fc23858435286b064936b3303f698a1a1637e8ea916a0824b37" },
];

/** Dates: an instant, its HTTP date and its signing timestamp. */
export const DATE_VECTORS: { name: string; date: number; httpDate: string; timestamp?: string }[] = [
  { name: "B requestDateHeaderValue", date: DATE, httpDate: DATE_HEADER, timestamp: "20170425T143000Z" },
  { name: "C the server tests' request date", date: 1502340082000, httpDate: "Thu, 10 Aug 2017 04:41:22 GMT" },
  { name: "D 2021-08-13 13:55:12.123 UTC: whole-second timestamp", date: Date.UTC(2021, 7, 13, 13, 55, 12, 123), httpDate: "Fri, 13 Aug 2021 13:55:12 GMT", timestamp: "20210813T135512Z" },
  // 2024-09-03 17:45 in Pacific/Auckland (NZST, +12:00).
  { name: "D 2024-09-03 17:45 Pacific/Auckland: 3-letter month, UTC day and time", date: Date.UTC(2024, 8, 3, 5, 45), httpDate: "Tue, 03 Sep 2024 05:45:00 GMT", timestamp: "20240903T054500Z" },
  { name: "E the refresh request's date", date: Date.UTC(2017, 3, 28, 9, 15, 0), httpDate: "Fri, 28 Apr 2017 09:15:00 GMT", timestamp: "20170428T091500Z" },
];

/** Canonical queries (E: the server test pathWithQueryParamsNeedingURIEscape); sorted by name, not by sent order. */
export const QUERY_VECTORS: { name: string; parameters: [string, string][]; query: string }[] = [
  { name: "E in sorted order", parameters: [["/foo/bar", "bam!"], ["bar.bim[1][blah]", "foo yes!"], ["zog", "dog"]], query: "%2Ffoo%2Fbar=bam%21&bar.bim%5B1%5D%5Bblah%5D=foo%20yes%21&zog=dog" },
  { name: "E in reverse order", parameters: [["zog", "dog"], ["bar.bim[1][blah]", "foo yes!"], ["/foo/bar", "bam!"]], query: "%2Ffoo%2Fbar=bam%21&bar.bim%5B1%5D%5Bblah%5D=foo%20yes%21&zog=dog" },
];
