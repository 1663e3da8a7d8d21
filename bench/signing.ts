import { createHash, createHmac, hash } from "node:crypto";
import { AuthorizationV2Builder } from "solarnetwork-api-core/lib/net";
import { MultiMap } from "solarnetwork-api-core/lib/util";
import { secretKeySource } from "../src/backends/solarnetwork/signing-key.js";
import {
  EMPTY_SHA256_HEX,
  canonicalRequest,
  httpDate,
  sign,
  stringToSign,
  uriEncode,
  type SignableRequest,
} from "../src/backends/solarnetwork/snws2.js";
import { TOKENS_PATH } from "../src/backends/solarnetwork/api.js";
import { median, nsPerOp, round, type Row } from "./stats.js";

/**
 * 1. Signing rate. The same seven requests (the ones the token service sends), signed by:
 * - ours: `sign()` with the key from `secretKeySource` (cached for the day), as the client does;
 * - official: `solarnetwork-api-core`'s `AuthorizationV2Builder`, used as its docs suggest for many
 *   requests: one builder, `saveSigningKey` once, then `reset()`, the request's fields and
 *   `buildWithSavedKey()` per request. Its body hash is given precomputed (`contentSHA256`), as ours is;
 * - floor: only the two digests our signer must compute per request, with node:crypto's fastest
 *   forms, on precomputed inputs: SHA-256 (hex, one-shot `crypto.hash`) of the canonical request and
 *   HMAC-SHA256 (hex, `createHmac`, for which there is no one-shot) of the string to sign.
 * Every variant is checked to give the same Authorization value (or signature) before timing.
 */

const TOKEN_ID = "hNAdH.aXHaEqFossMwT8";
const SECRET = "vE3bhlM5RKJ2vOBWn1Dql3rR7g2qCy";
const HOST = "data.solarnetwork.net";
const JSON_TYPE = "application/json;charset=UTF-8";
const FORM_TYPE = "application/x-www-form-urlencoded;charset=UTF-8";

interface Case {
  name: string;
  method: SignableRequest["method"];
  path: string;
  query: [string, string][];
  form?: [string, string][];
  json?: unknown;
}

const CASES: Case[] = [
  { name: "list", method: "GET", path: `${TOKENS_PATH}/find`, query: [] },
  { name: "list filtered", method: "GET", path: `${TOKENS_PATH}/find`, query: [["active", "true"], ["tokenTypes", "ReadNodeData"]] },
  { name: "get", method: "GET", path: `${TOKENS_PATH}/find`, query: [["identifiers", "a1B2c3D4e5F6g7H8i9J0"]] },
  {
    name: "create",
    method: "POST",
    path: `${TOKENS_PATH}/generate/ReadNodeData`,
    query: [],
    json: { nodeIds: [100, 101], sourceIds: ["/REGION1/**"], minAggregation: "Hour", notAfter: 1806451200000 },
  },
  {
    name: "info",
    method: "POST",
    path: `${TOKENS_PATH}/info`,
    query: [],
    form: [["tokenId", "a1B2c3D4e5F6g7H8i9J0"], ["name", "Grafana – site 17"], ["description", "Dashboard (read only), Pacific/Auckland"]],
  },
  { name: "policy", method: "PATCH", path: `${TOKENS_PATH}/policy`, query: [["tokenId", "a1B2c3D4e5F6g7H8i9J0"]], json: { nodeIds: [100, 101, 102] } },
  { name: "delete", method: "DELETE", path: TOKENS_PATH, query: [["tokenId", "a1B2c3D4e5F6g7H8i9J0"]] },
];

interface Prepared {
  signable: SignableRequest;
  contentType?: string;
  digest?: string;
  parameters: [string, string][];
  canonicalText: string;
  toSign: string;
}

/** The request value the client builds in `#send` (see src/solarnetwork/client.ts). */
function prepare(c: Case, date: Date): Prepared {
  const headers: Record<string, string> = {};
  let bodySha256Hex = EMPTY_SHA256_HEX;
  let contentType: string | undefined;
  let digest: string | undefined;
  if (c.form) {
    contentType = FORM_TYPE;
    headers["content-type"] = contentType;
  } else if (c.json !== undefined) {
    const hash = createHash("sha256").update(JSON.stringify(c.json), "utf8").digest();
    contentType = JSON_TYPE;
    digest = `sha-256=${hash.toString("base64")}`;
    headers["content-type"] = contentType;
    headers["digest"] = digest;
    bodySha256Hex = hash.toString("hex");
  }
  headers["host"] = HOST;
  headers["x-sn-date"] = httpDate(date);
  const parameters = [...c.query, ...(c.form ?? [])];
  const signable: SignableRequest = { method: c.method, path: c.path, parameters, headers, bodySha256Hex };
  const canonicalText = canonicalRequest(signable).text;
  return { signable, contentType, digest, parameters, canonicalText, toSign: stringToSign(canonicalText, date) };
}

export interface SigningResult {
  rows: Row[];
  details: Record<string, unknown>;
}

export function benchSigning(options: { rounds: number; msPerRound: number }): SigningResult {
  const date = new Date(Math.floor(Date.now() / 1000) * 1000);
  const keys = secretKeySource(SECRET);
  const key = keys.keyFor(date);
  const prepared = CASES.map((c) => prepare(c, date));

  const builder = new AuthorizationV2Builder(TOKEN_ID).date(date).saveSigningKey(SECRET);
  const official = (p: Prepared): string => {
    builder.reset().method(p.signable.method).host(HOST).path(p.signable.path).date(date).snDate(true);
    const parameters = new MultiMap();
    for (const [name, value] of p.parameters) parameters.add(name, value);
    builder.queryParams(parameters);
    if (p.contentType) builder.contentType(p.contentType);
    if (p.digest) builder.header("Digest", p.digest);
    if (p.signable.bodySha256Hex !== EMPTY_SHA256_HEX) builder.contentSHA256(p.signable.bodySha256Hex);
    return builder.buildWithSavedKey();
  };
  const ours = (p: Prepared): string => sign(p.signable, TOKEN_ID, keys.keyFor(date), date);
  const floor = (p: Prepared): string =>
    hash("sha256", p.canonicalText, "hex") + createHmac("sha256", key).update(p.toSign).digest("hex");

  // Same answers before any timing.
  for (const p of prepared) {
    const header = ours(p);
    if (official(p) !== header) throw new Error(`signing bench: ours and the official builder disagree on ${p.signable.method} ${p.signable.path}`);
    const signature = createHmac("sha256", key).update(p.toSign).digest("hex");
    if (!header.endsWith(`Signature=${signature}`)) throw new Error("signing bench: the floor does not compute our signature");
  }
  // uriEncode is the one per-character step; make sure the form case exercises it.
  if (uriEncode("Grafana – site 17") === "Grafana – site 17") throw new Error("signing bench: the form case needs encoding");

  let next = 0;
  const cycle = <T>(fn: (p: Prepared) => T) => () => fn(prepared[next++ % prepared.length] as Prepared);
  const variants = { ours: cycle(ours), official: cycle(official), floor: cycle(floor) };
  const samples: Record<keyof typeof variants, number[]> = { ours: [], official: [], floor: [] };
  // Warm-up, then interleaved rounds so that machine noise hits every variant alike.
  for (const fn of Object.values(variants)) nsPerOp(fn, options.msPerRound / 2);
  for (let round = 0; round < options.rounds; round++) {
    for (const [name, fn] of Object.entries(variants)) {
      samples[name as keyof typeof variants].push(nsPerOp(fn, options.msPerRound, name === "official" ? 10 : 100));
    }
  }
  const ns = { ours: median(samples.ours), official: median(samples.official), floor: median(samples.floor) };
  // Ratios are taken round by round (the variants of one round ran within a second of each other),
  // then their median: a slow spell of the machine then moves both sides of a ratio alike.
  const vsOfficial = median(samples.ours.map((ours, i) => (samples.official[i] as number) / ours));
  const vsFloor = median(samples.ours.map((ours, i) => ours / (samples.floor[i] as number)));
  const perSecond = (value: number) => Math.round(1e9 / value);
  const rows: Row[] = [
    {
      section: "signing",
      figure: "SNWS2 signing rate vs official AuthorizationV2Builder",
      ours: perSecond(ns.ours),
      unit: "req/s",
      peer: "solarnetwork-api-core AuthorizationV2Builder (saved key)",
      peerValue: perSecond(ns.official),
      ratioOf: "ours/peer rate",
      ratio: round(vsOfficial, 1),
      target: "—",
      pass: null,
      note: "information: the builder's rate moves with the CPU (8.6–10.1× seen on 2-core machines); signing is judged against the digests",
    },
    {
      section: "signing",
      figure: "SNWS2 signing time vs physical floor (SHA-256 + HMAC-SHA256)",
      ours: round(ns.ours / 1000, 2),
      unit: "µs/req",
      peer: "node:crypto digests alone",
      peerValue: round(ns.floor / 1000, 2),
      ratioOf: "ours/peer time",
      ratio: round(vsFloor, 2),
      target: "≤ 1.5×",
      pass: vsFloor <= 1.5,
    },
  ];
  return {
    rows,
    details: {
      requests: CASES.map((c) => `${c.method} ${c.path}${c.query.length ? "?" + c.query.map(([n, v]) => `${n}=${v}`).join("&") : ""}`),
      nsPerRequest: { ours: round(ns.ours, 0), official: round(ns.official, 0), floor: round(ns.floor, 0) },
      samplesNs: samples,
    },
  };
}
