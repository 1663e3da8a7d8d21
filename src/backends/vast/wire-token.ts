/**
 * VMS's ApiToken JSON read one token at a time, so that one odd token never takes a listing down.
 * The schema marks no field required or nullable, and `expiry_date` is its one time field without
 * `format: date-time` (vast-sources.md §4.1): a zone-less expiry is read as UTC, as VMS documents
 * it ("the token creation date in UTC + the specified time period"); a missing or null `name` or
 * `owner` stays unknown; a token whose ID, creation, expiry or state cannot be read is reported by
 * its ID as unreadable, and the others are still shown.
 */

export interface ApiToken {
  /** The 8-character token ID (never the secret). */
  id: string;
  /** Undefined: VMS did not say. */
  name: string | undefined;
  /** The owner's VMS user name; undefined: VMS did not say. */
  owner: string | undefined;
  created: string;
  /** Null: never expires. Expired is `expiryDate !== null && expiryDate < now`. */
  expiryDate: string | null;
  lastUsed: string | null;
  revoked: boolean;
  revocationTime: string | null;
  /** VMS wrote `expiry_date` without a time zone: it was read as UTC. */
  expiryReadAsUtc: boolean;
}

/** A token VMS listed that cannot be read: its ID when it has one that could be shown. */
export interface UnreadableToken {
  unreadable: string;
}

/** Shown for a listed item that has no usable ID. */
export const NO_ID = "(no ID)";

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:([Zz])|([+-])(\d{2}):?(\d{2}))?$/;
const SHOWN_ID = /^[A-Za-z0-9]{1,64}$/;

/**
 * Any RFC 3339 timestamp (fractions, `Z` or `±hh:mm`; also ISO's `±hhmm`) as ISO 8601 UTC, or
 * undefined. A time without a zone is ambiguous: undefined, unless `zoneless` says how to read it.
 */
export function parseRfc3339(text: string, zoneless: "reject" | "utc" = "reject"): string | undefined {
  const match = RFC3339.exec(text);
  if (!match) return undefined;
  if (match[8] === undefined && match[9] === undefined && zoneless === "reject") return undefined;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const ms = Number(((match[7] ?? "") + "000").slice(0, 3));
  const offsetMinutes = match[9] ? (match[9] === "-" ? -1 : 1) * (Number(match[10]) * 60 + Number(match[11])) : 0;
  if (month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59 || Math.abs(offsetMinutes) >= 24 * 60) return undefined;
  const local = Date.UTC(year, month - 1, day, hour, minute, second, ms);
  if (new Date(local).getUTCDate() !== day) return undefined; // e.g. 31 April
  return new Date(local - offsetMinutes * 60_000).toISOString();
}

/** One item of a VMS token reply, read as far as it can be. */
export function readApiToken(value: unknown): ApiToken | UnreadableToken {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return { unreadable: NO_ID };
  const wire = value as Record<string, unknown>;
  const id = typeof wire.id === "string" && wire.id !== "" ? wire.id : undefined;
  if (id === undefined) return { unreadable: NO_ID };
  const unreadable = { unreadable: SHOWN_ID.test(id) ? id : NO_ID };
  const created = typeof wire.created === "string" ? parseRfc3339(wire.created) : undefined;
  const expiry = optionalTime(wire.expiry_date, "utc");
  const lastUsed = optionalTime(wire.last_used, "reject");
  const revocationTime = optionalTime(wire.revocation_time, "reject");
  if (created === undefined || expiry === undefined || lastUsed === undefined || revocationTime === undefined || typeof wire.revoked !== "boolean") {
    return unreadable;
  }
  return {
    id,
    name: typeof wire.name === "string" ? wire.name : undefined,
    owner: typeof wire.owner === "string" ? wire.owner : undefined,
    created,
    expiryDate: expiry,
    lastUsed,
    revoked: wire.revoked,
    revocationTime,
    expiryReadAsUtc: typeof wire.expiry_date === "string" && parseRfc3339(wire.expiry_date) === undefined,
  };
}

export function isUnreadable(token: ApiToken | UnreadableToken): token is UnreadableToken {
  return "unreadable" in token;
}

/** Null or absent → null; a time → ISO 8601 UTC; anything else → undefined (unreadable). */
function optionalTime(value: unknown, zoneless: "reject" | "utc"): string | null | undefined {
  if (value === null || value === undefined) return null;
  return typeof value === "string" ? parseRfc3339(value, zoneless) : undefined;
}
