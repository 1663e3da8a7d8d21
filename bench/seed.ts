import type { LocalSolarUser, SeedTokenInit } from "../src/simulators/solarnetwork/solaruser.js";
import type { Policy } from "../src/backends/solarnetwork/model.js";

/**
 * A deterministic account of `count` tokens for the scale, per-call and memory runs: mostly data
 * tokens with a node/source policy, some User tokens, a few disabled, names on most. The mix is
 * what a person running dashboards and integrations accumulates; it sets the bytes per listed token.
 * `minimal` tokens (no name, no policy) give the format's floor instead.
 */

const USER_ID = 123;
const NAMES = ["Grafana dashboard", "Home Assistant", "Site export", "Battery monitor", "Partner API", "CSV download", "Ops notebook"];
const DESCRIPTIONS = ["Read-only data for the wall display", "Hourly export to the billing system", "Integration test account"];
const DAY_MS = 86_400_000;

/** Mulberry32: a tiny seeded PRNG, so every run seeds the same account. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type TokenMix = "mixed" | "minimal";

export function tokenInit(index: number, mix: TokenMix, random: () => number, now: number): SeedTokenInit {
  if (mix === "minimal") return { type: "ReadNodeData", userId: USER_ID };
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const dataToken = random() < 0.75;
  const init: SeedTokenInit = { type: dataToken ? "ReadNodeData" : "User", userId: USER_ID };
  if (random() < 0.8) init.name = `${pick(NAMES)} ${index}`;
  if (random() < 0.3) init.description = pick(DESCRIPTIONS);
  if (random() < 0.15) init.status = "Disabled";
  const policy: Policy = {};
  if (dataToken) {
    const first = 100 + Math.floor(random() * 900);
    policy.nodeIds = random() < 0.5 ? [first] : [first, first + 1];
    if (random() < 0.6) policy.sourceIds = [`/site${first}/**`];
    if (random() < 0.3) policy.minAggregation = "Hour";
  } else if (random() < 0.5) {
    policy.apiPaths = ["/datum/**"];
  }
  if (random() < 0.4) policy.notAfter = now + Math.floor(30 + random() * 335) * DAY_MS;
  if (Object.keys(policy).length > 0) init.policy = policy;
  return init;
}

/** Seeds `count` tokens of the account whose admin (the server's own token) is user 123's. */
export function seedAccount(solarUser: LocalSolarUser, count: number, mix: TokenMix = "mixed", seed = 42): void {
  const random = prng(seed + count);
  const now = Date.now();
  for (let i = 0; i < count; i++) solarUser.seedToken(tokenInit(i, mix, random, now));
}

export function seedAdmin(solarUser: LocalSolarUser): { id: string; secret: string } {
  return solarUser.seedToken({ type: "User", userId: USER_ID, name: "sn-tokens-mcp" });
}
