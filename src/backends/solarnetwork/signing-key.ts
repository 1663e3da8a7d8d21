import type { Logger } from "../../log.js";
import type { TokenService } from "./service.js";
import { SolarNetworkError } from "./errors.js";
import { deriveSigningKey, signingDay } from "./snws2.js";

/** Where the client gets the SNWS2 signing key for a request's date. */
export interface SigningKeySource {
  keyFor(date: Date): Uint8Array;
}

/**
 * Derives keys from the token secret, caching the current day's key so that each request costs
 * one HMAC, not three. `onDerive` lets the redactor learn every key it must hide.
 */
export function secretKeySource(secret: string, onDerive: (key: Buffer) => void = () => {}): SigningKeySource {
  /** The key of UTC day `day`, valid for dates in [from, to) epoch ms. */
  let cached: { day: string; key: Buffer; from: number; to: number } | undefined;
  return {
    keyFor(date) {
      const time = date.getTime();
      // Same UTC day: no formatting at all, a comparison of two numbers.
      if (cached && time >= cached.from && time < cached.to) return cached.key;
      const day = signingDay(date);
      const from = Math.floor(time / DAY_MS) * DAY_MS;
      if (cached?.day !== day) {
        cached = { day, key: deriveSigningKey(secret, day), from, to: from + DAY_MS };
        onDerive(cached.key);
      }
      return cached.key;
    },
  };
}

/** A UTC day: JavaScript time has no leap seconds. */
const DAY_MS = 86_400_000;

/** A derived key signs requests dated from its UTC day to six days after (SolarNetwork tries seven days). */
export const SIGNING_KEY_VALID_DAYS = 7;

const DATE_FORMAT = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * The UTC midnight (epoch ms) of a `YYYY-MM-DD` date, or `undefined` when the text is not a real
 * calendar date in that form.
 */
export function parseSigningDate(text: string): number | undefined {
  const match = DATE_FORMAT.exec(text);
  if (!match) return undefined;
  const time = Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
  return new Date(time).toISOString().slice(0, 10) === text ? time : undefined;
}

/** The first instant (epoch ms) at which a key derived for `date` (`YYYY-MM-DD`) no longer signs. */
export function signingKeyExpiry(date: string): number {
  const from = parseSigningDate(date);
  if (from === undefined) throw new RangeError(`Not a YYYY-MM-DD date: ${date}`);
  return from + SIGNING_KEY_VALID_DAYS * DAY_MS;
}

/** `YYYY-MM-DD` of the UTC day of an instant (epoch ms). */
export function utcDate(time: number): string {
  return new Date(time).toISOString().slice(0, 10);
}

/**
 * A request the derived key cannot sign (it has expired, or the request is dated before the key's
 * day). Raised before anything is sent. The message is ours and names no key material.
 */
export class SigningKeyExpiredError extends SolarNetworkError {
  constructor(
    readonly keyDate: string,
    readonly expiresAt: number,
    readonly requestDate: number,
  ) {
    super(
      "unauthorized",
      requestDate >= expiresAt
        ? `The SolarNetwork signing key (SN_TOKEN_SIGNING_KEY, derived for ${keyDate}) expired at ${new Date(expiresAt).toISOString()}; derive a new one (for today's UTC date), set SN_TOKEN_SIGNING_KEY and SN_TOKEN_SIGNING_DATE, and restart the server. Nothing was sent to SolarNetwork.`
        : `The SolarNetwork signing key (SN_TOKEN_SIGNING_KEY) is derived for ${keyDate}, a later UTC date than this request's (${new Date(requestDate).toISOString()}); check this machine's clock and SN_TOKEN_SIGNING_DATE. Nothing was sent to SolarNetwork.`,
    );
  }

  // Complete in itself: SN_TOKEN's secret is not what the operator needs to check.
  override advice(): string {
    return this.message;
  }
}

export interface DerivedKeySource extends SigningKeySource {
  /** `YYYY-MM-DD`: the UTC day the current key was derived for. */
  readonly date: string;
  /** Epoch ms: the first request instant the current key can no longer sign. */
  readonly expiresAt: number;
  /** Replaces the key (after a refresh). */
  replace(keyHex: string, date: string): void;
  /** Goes back to the key before the last replacement (a refreshed key SolarNetwork does not accept). */
  restorePrevious(): void;
}

/**
 * A fixed, already derived SNWS2 signing key (the server holds no secret): it signs requests dated
 * within [date, date + 7 days) and refuses any other with a {@link SigningKeyExpiredError}, so no
 * request that SolarNetwork would reject is sent. `onKey` lets the redactor learn every key.
 */
export function derivedKeySource(keyHex: string, date: string, onKey: (key: Buffer) => void = () => {}): DerivedKeySource {
  let current = derived(keyHex, date);
  let previous: typeof current | undefined;
  onKey(current.key);
  return {
    get date() {
      return current.date;
    },
    get expiresAt() {
      return current.to;
    },
    keyFor(requestDate) {
      const time = requestDate.getTime();
      if (time >= current.from && time < current.to) return current.key;
      throw new SigningKeyExpiredError(current.date, current.to, time);
    },
    replace(newKeyHex, newDate) {
      previous = current;
      current = derived(newKeyHex, newDate);
      onKey(current.key);
    },
    restorePrevious() {
      if (previous) current = previous;
      previous = undefined;
    },
  };
}

function derived(keyHex: string, date: string): { key: Buffer; date: string; from: number; to: number } {
  if (!/^[0-9a-fA-F]{64}$/.test(keyHex)) throw new RangeError("A signing key is 64 hexadecimal characters.");
  const from = parseSigningDate(date);
  if (from === undefined) throw new RangeError(`Not a YYYY-MM-DD date: ${date}`);
  return { key: Buffer.from(keyHex, "hex"), date, from, to: from + SIGNING_KEY_VALID_DAYS * DAY_MS };
}

export interface KeyRefresherOptions {
  keys: DerivedKeySource;
  /** Asks SolarNetwork for the key of a `YYYY-MM-DD` date (see {@link refreshThrough}). */
  fetchKey: (date: string) => Promise<string>;
  /** The current time as SolarNetwork sees it (epoch ms). */
  now: () => number;
  log: Pick<Logger, "info" | "warn">;
  /** After a failed refresh, how long to keep using the current key before trying again (default 15 min). */
  retryAfterMs?: number;
}

export interface KeyRefresher {
  /**
   * Renews the key when it was derived for an earlier UTC day than today's (so once a day at most),
   * before a call. Never throws: when the refresh fails the current key is used until it expires.
   */
  refreshIfDue(): Promise<void>;
  /** A call signed with the key succeeded: a renewed key is proven good. */
  accepted(): void;
  /**
   * SolarNetwork refused a call's credentials: when the key was just renewed and not yet proven,
   * the last good key is restored (and no renewal tried until tomorrow). True when it was, so the
   * call may be sent again: a refused credential means nothing was applied.
   */
  rejected(): boolean;
}

/**
 * Keeps a derived key fresh through SolarNetwork's refresh endpoint, lazily: the first call of each
 * UTC day asks for that day's key, which is good for seven more days. A token whose policy sets
 * `refreshAllowed: false` gets 403: then the server stops asking and the key expires as dated.
 */
export function keyRefresher(options: KeyRefresherOptions): KeyRefresher {
  const { keys, fetchKey, now, log } = options;
  const retryAfterMs = options.retryAfterMs ?? 15 * 60_000;
  let refused = false;
  let notBefore = 0;
  let inFlight: Promise<void> | undefined;
  let unproven = false;

  const refresh = async (today: string): Promise<void> => {
    try {
      const key = await fetchKey(today);
      keys.replace(key, today);
      unproven = true;
      log.info("renewed the SolarNetwork signing key", { date: today, expiresAt: new Date(keys.expiresAt).toISOString() });
    } catch (error) {
      const expiresAt = new Date(keys.expiresAt).toISOString();
      // Any 403 from the refresh endpoint is a refusal, whatever its wording: asking again will not help.
      if (error instanceof SolarNetworkError && (error.kind === "forbidden" || error.details.status === 403)) {
        refused = true;
        log.warn(
          "SolarNetwork does not allow renewing this token's signing key (its policy sets refreshAllowed: false); derive a new key before the current one expires",
          { expiresAt },
        );
        return;
      }
      notBefore = now() + retryAfterMs;
      log.warn("could not renew the SolarNetwork signing key; using the current one, and trying again later", {
        expiresAt,
        error: error instanceof Error ? error.message : String(error),
      });
    }
  };

  return {
    refreshIfDue() {
      if (inFlight) return inFlight;
      const time = now();
      const today = utcDate(time);
      if (refused || time < notBefore || today <= keys.date) return Promise.resolve();
      inFlight = refresh(today).finally(() => {
        inFlight = undefined;
      });
      return inFlight;
    },
    accepted() {
      unproven = false;
    },
    rejected() {
      if (!unproven) return false;
      unproven = false;
      keys.restorePrevious();
      notBefore = (Math.floor(now() / DAY_MS) + 1) * DAY_MS;
      log.warn("SolarNetwork refused the renewed signing key; went back to the previous one until tomorrow", {
        expiresAt: new Date(keys.expiresAt).toISOString(),
      });
      return true;
    },
  };
}

/** `service` with the key renewed (when due) before each call, and a renewed key SolarNetwork refuses given up. */
export function withKeyRefresh(service: TokenService, refresher: KeyRefresher): TokenService {
  const signed = async <T>(call: () => Promise<T>): Promise<T> => {
    await refresher.refreshIfDue();
    try {
      const result = await call();
      refresher.accepted();
      return result;
    } catch (error) {
      if (error instanceof SolarNetworkError && error.kind === "unauthorized" && refresher.rejected()) return await call();
      throw error;
    }
  };
  return {
    list: (filter, signal) => signed(() => service.list(filter, signal)),
    get: (tokenId, signal) => signed(() => service.get(tokenId, signal)),
    create: (type, policy, signal) => signed(() => service.create(type, policy, signal)),
    setInfo: (tokenId, info, signal) => signed(() => service.setInfo(tokenId, info, signal)),
    setStatus: (tokenId, status, signal) => signed(() => service.setStatus(tokenId, status, signal)),
    updatePolicy: (tokenId, policy, mode, signal) => signed(() => service.updatePolicy(tokenId, policy, mode, signal)),
    delete: (tokenId, signal) => signed(() => service.delete(tokenId, signal)),
  };
}
