/**
 * Replies VMS's schema allows but the simulator does not send by default, switched on by tests:
 * the schema declares no ApiToken field required or nullable, and gives `expiry_date` (alone among
 * its time fields) no `format: date-time` (vast-sources.md §1, §4.1–4.2).
 */

/** How one token's JSON is distorted. */
export type TokenOddity =
  /** `owner: null`, as for a token that outlived its manager. */
  | "owner-null"
  | "owner-missing"
  | "name-null"
  | "name-missing"
  /** A token no client can read: its `created` is not a time and `revoked` not a boolean. */
  | "unreadable";

export interface VmsOddities {
  /** Every `expiry_date` written as a naive local time, without a zone (`2026-03-31T08:00:00.000000`). */
  zonelessExpiry: boolean;
  /** Per token ID. */
  readonly tokens: Map<string, TokenOddity>;
}

export function noOddities(): VmsOddities {
  return { zonelessExpiry: false, tokens: new Map() };
}

/** `json` (a token as VMS writes it) with the switched-on oddities applied. */
export function withOddities(json: Record<string, unknown>, oddities: VmsOddities): Record<string, unknown> {
  const odd = { ...json };
  if (oddities.zonelessExpiry && typeof odd.expiry_date === "string") odd.expiry_date = naive(odd.expiry_date);
  switch (oddities.tokens.get(String(json.id))) {
    case "owner-null":
      odd.owner = null;
      break;
    case "owner-missing":
      delete odd.owner;
      break;
    case "name-null":
      odd.name = null;
      break;
    case "name-missing":
      delete odd.name;
      break;
    case "unreadable":
      odd.created = "soon";
      odd.revoked = "no";
      break;
    case undefined:
      break;
  }
  return odd;
}

/** `2026-03-31T08:00:00Z` → `2026-03-31T08:00:00.000000`: the same UTC wall time, its zone dropped. */
function naive(timestamp: string): string {
  return new Date(timestamp).toISOString().replace("Z", "000");
}
