import { randomInt } from "node:crypto";
import { isExpired, policyJson } from "./policy.js";
import type { StoredToken, TokenStore } from "./store.js";

/** New token IDs and secrets as SolarUser makes them, and a token as its JSON shows it. */

const TOKEN_ID_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-._";

/** `UserBizConstants.generateRandomToken`: `length` characters from `[0-9A-Za-z._-]`. */
export function randomToken(length: number): string {
  let out = "";
  for (let i = 0; i < length; i++) out += TOKEN_ID_ALPHABET[randomInt(TOKEN_ID_ALPHABET.length)];
  return out;
}

/** A new token ID (20 characters) not in the store. */
export function newTokenId(store: TokenStore): string {
  for (;;) {
    const id = randomToken(20);
    if (!store.get(id)) return id;
  }
}

/** A new secret: 24 to 31 characters. */
export function newSecret(): string {
  return randomToken(24 + randomInt(8));
}

/** `2025-09-29 04:23:20.302916Z`: ISO date, space, time with 0–9 fraction digits (zeros trimmed), Z. */
export function formatCreated(micros: number): string {
  const ms = Math.floor(micros / 1000);
  const iso = new Date(ms).toISOString();
  const fraction = String(((ms % 1000) + 1000) % 1000 * 1000 + (micros - ms * 1000))
    .padStart(6, "0")
    .replace(/0+$/, "");
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}${fraction ? `.${fraction}` : ""}Z`;
}

export function tokenJson(token: StoredToken, now: number, withSecret = false): Record<string, unknown> {
  const out: Record<string, unknown> = {
    id: token.id,
    created: formatCreated(token.created),
    userId: token.userId,
  };
  if (token.name !== undefined) out["name"] = token.name;
  if (token.description !== undefined) out["description"] = token.description;
  if (withSecret) out["authSecret"] = token.secret;
  out["status"] = token.status;
  out["type"] = token.type;
  out["expired"] = isExpired(token.policy, now);
  if (token.policy) out["policy"] = policyJson(token.policy);
  return out;
}
