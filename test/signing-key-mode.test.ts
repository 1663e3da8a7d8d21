import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { afterEach, describe, expect, it } from "vitest";
import { type App } from "../src/compose.js";
import { composeApp } from "./support/harness.js";
import { readConfig } from "../src/backends/solarnetwork/config.js";
import { startLocalSolarUser, type LocalSolarUser, type SeedTokenInit } from "../src/simulators/solarnetwork/solaruser.js";
import {
  derivedKeySource,
  keyRefresher,
  SigningKeyExpiredError,
  signingKeyExpiry,
} from "../src/backends/solarnetwork/signing-key.js";
import { REFRESH_PATH } from "../src/backends/solarnetwork/api.js";
import { deriveSigningKey } from "../src/backends/solarnetwork/snws2.js";
import { SolarNetworkError } from "../src/backends/solarnetwork/errors.js";
import { configError, textOf } from "./support/harness.js";

/**
 * Signing-key credentials: SN_TOKEN_SIGNING_KEY + SN_TOKEN_SIGNING_DATE instead of the secret.
 * Time is injected everywhere (the server's clock, the local SolarUser's, the key source's request
 * dates): nothing sleeps.
 */

const DAY = 86_400_000;
const HOUR = 3_600_000;
const KEY_DAY = "2026-03-10";
const KEY_DAY_START = Date.UTC(2026, 2, 10);
const CLI = fileURLToPath(new URL("../dist/cli.js", import.meta.url));

const keyHex = (secret: string, date: string) => deriveSigningKey(secret, date.replace(/-/g, "")).toString("hex");
const isoDate = (time: number) => new Date(time).toISOString().slice(0, 10);

describe("derivedKeySource", () => {
  const key = "ab".repeat(32);

  it("signs requests dated from the key's day to the instant before day + 7, then refuses with the expiry", () => {
    const reported: string[] = [];
    const source = derivedKeySource(key, KEY_DAY, (k) => reported.push(k.toString("hex")));
    expect(reported).toEqual([key]);
    expect(source.expiresAt).toBe(Date.UTC(2026, 2, 17));
    for (const time of [KEY_DAY_START, KEY_DAY_START + 3 * DAY + 5 * HOUR, KEY_DAY_START + 7 * DAY - 1000, KEY_DAY_START + 7 * DAY - 1]) {
      expect(Buffer.from(source.keyFor(new Date(time))).toString("hex")).toBe(key);
    }
    let error: unknown;
    try {
      source.keyFor(new Date(KEY_DAY_START + 7 * DAY));
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(SigningKeyExpiredError);
    expect((error as Error).message).toContain("expired at 2026-03-17T00:00:00.000Z");
    expect((error as Error).message).toContain("derive a new one");
    expect((error as Error).message).not.toContain(key);
  });

  it("refuses a request dated before the key's day (a clock behind), naming the clock", () => {
    const source = derivedKeySource(key, KEY_DAY);
    expect(() => source.keyFor(new Date(KEY_DAY_START - 1))).toThrow(/later UTC date than this request's.*clock/);
  });

  it("takes a replacement key and date (a refresh), reporting the new key", () => {
    const reported: string[] = [];
    const source = derivedKeySource(key, KEY_DAY, (k) => reported.push(k.toString("hex")));
    const next = "cd".repeat(32);
    source.replace(next, "2026-03-15");
    expect(source.date).toBe("2026-03-15");
    expect(source.expiresAt).toBe(Date.UTC(2026, 2, 22));
    expect(Buffer.from(source.keyFor(new Date(Date.UTC(2026, 2, 21, 23)))).toString("hex")).toBe(next);
    expect(() => source.keyFor(new Date(Date.UTC(2026, 2, 14)))).toThrow(SigningKeyExpiredError);
    expect(reported).toEqual([key, next]);
  });

  it("rejects malformed keys and dates when built", () => {
    expect(() => derivedKeySource("ab".repeat(31), KEY_DAY)).toThrow(RangeError);
    expect(() => derivedKeySource(key, "2026-02-30")).toThrow(RangeError);
    expect(signingKeyExpiry("2026-12-31")).toBe(Date.UTC(2027, 0, 7));
  });
});

describe("readConfig with a signing key", () => {
  const key = "0123456789abcdef".repeat(4);
  const base = { SN_TOKEN: "server-token", SN_TOKEN_SIGNING_KEY: key, SN_TOKEN_SIGNING_DATE: KEY_DAY };

  it("uses the key instead of a secret (upper-case hex accepted, kept lower-case)", () => {
    const config = readConfig({ ...base, SN_TOKEN_SIGNING_KEY: key.toUpperCase() }, KEY_DAY_START + 2 * HOUR);
    expect(config.tokenSecret).toBeUndefined();
    expect(config.signingKey).toEqual({ keyHex: key, date: KEY_DAY, expiresAt: Date.UTC(2026, 2, 17) });
    expect(config.notices).toEqual([]);
  });

  it("accepts a key dated six days ago, warning with the exact expiry instant", () => {
    const now = KEY_DAY_START + 6 * DAY + 20 * HOUR + 30 * 60_000;
    const config = readConfig(base, now);
    expect(config.signingKey?.expiresAt).toBe(Date.UTC(2026, 2, 17));
    expect(config.notices).toHaveLength(1);
    expect(config.notices[0]).toContain("SN_TOKEN_SIGNING_KEY expires at 2026-03-17T00:00:00.000Z (in 3 h 30 min)");
    expect(config.notices[0]).not.toContain(key);
  });

  it("does not warn a day and more before expiry", () => {
    expect(readConfig(base, KEY_DAY_START + 6 * DAY - 1).notices).toEqual([]);
    expect(readConfig(base, KEY_DAY_START + 6 * DAY).notices).toHaveLength(1);
  });

  it("refuses a key dated seven days ago: it expired at the start of today, UTC", () => {
    for (const now of [KEY_DAY_START + 7 * DAY, KEY_DAY_START + 7 * DAY + 12 * HOUR, KEY_DAY_START + 30 * DAY]) {
      const error = configError(() => readConfig(base, now));
      expect(error.variable).toBe("SN_TOKEN_SIGNING_DATE");
      expect(error.message).toContain("expired at 2026-03-17T00:00:00.000Z");
      expect(error.message).not.toContain(key);
    }
    expect(readConfig(base, KEY_DAY_START + 7 * DAY - 1).signingKey?.date).toBe(KEY_DAY);
  });

  it("refuses a key dated in the future", () => {
    const error = configError(() => readConfig({ ...base, SN_TOKEN_SIGNING_DATE: "2026-03-11" }, KEY_DAY_START + 23 * HOUR));
    expect(error.variable).toBe("SN_TOKEN_SIGNING_DATE");
    expect(error.message).toMatch(/later than today's UTC date \(2026-03-10\)/);
  });

  it.each([
    ["a short key", { SN_TOKEN_SIGNING_KEY: key.slice(1) }, "SN_TOKEN_SIGNING_KEY"],
    ["a non-hex key", { SN_TOKEN_SIGNING_KEY: `${key.slice(1)}g` }, "SN_TOKEN_SIGNING_KEY"],
    ["a key without its date", { SN_TOKEN_SIGNING_DATE: undefined }, "SN_TOKEN_SIGNING_DATE"],
    ["an impossible date", { SN_TOKEN_SIGNING_DATE: "2026-02-30" }, "SN_TOKEN_SIGNING_DATE"],
    ["a compact date", { SN_TOKEN_SIGNING_DATE: "20260310" }, "SN_TOKEN_SIGNING_DATE"],
    ["a key and a secret", { SN_TOKEN_SECRET: "the-server-secret" }, "SN_TOKEN_SIGNING_KEY"],
    ["a key and a secret file", { SN_TOKEN_SECRET_FILE: "/nonexistent/secret" }, "SN_TOKEN_SIGNING_KEY"],
    ["a date without a key", { SN_TOKEN_SIGNING_KEY: undefined }, "SN_TOKEN_SIGNING_KEY"],
    ["a date beside a secret", { SN_TOKEN_SIGNING_KEY: undefined, SN_TOKEN_SECRET: "the-server-secret" }, "SN_TOKEN_SIGNING_DATE"],
    ["no credential at all", { SN_TOKEN_SIGNING_KEY: undefined, SN_TOKEN_SIGNING_DATE: undefined }, "SN_TOKEN_SECRET"],
  ])("refuses %s, naming %s (and never echoing the key)", (_label, change, variable) => {
    const error = configError(() => readConfig({ ...base, ...change }, KEY_DAY_START + HOUR));
    expect(error.variable).toBe(variable);
    expect(error.message).not.toContain(key.slice(1, 40));
  });

  it("names the signing key as the alternative when no credential is set", () => {
    const error = configError(() => readConfig({ SN_TOKEN: "server-token" }));
    expect(error.message).toMatch(/SN_TOKEN_SIGNING_KEY with SN_TOKEN_SIGNING_DATE/);
  });
});

/** The server in key mode against a local SolarUser, both on one injected clock. */
interface KeyModeServer {
  solarUser: LocalSolarUser;
  app: App;
  client: Client;
  logs: string[];
  clock: { now: number };
  secret: string;
  call(name: string, args?: Record<string, unknown>): Promise<CallToolResult>;
  requests(pathEndsWith?: string): number;
}

const running: KeyModeServer[] = [];
afterEach(async () => {
  for (const server of running.splice(0)) {
    await server.client.close();
    await server.app.close();
    await server.solarUser.close();
  }
});

async function startKeyMode(options: { start: number; keyDate: string; admin?: Partial<SeedTokenInit>; env?: Record<string, string> }): Promise<KeyModeServer> {
  const clock = { now: options.start };
  const solarUser = await startLocalSolarUser({ now: () => clock.now });
  const admin = solarUser.seedToken({ type: "User", userId: 123, ...options.admin });
  const config = readConfig(
    {
      SN_URL: solarUser.url,
      SN_TOKEN: admin.id,
      SN_TOKEN_SIGNING_KEY: keyHex(admin.secret, options.keyDate),
      SN_TOKEN_SIGNING_DATE: options.keyDate,
      SN_MCP_LOG_LEVEL: "debug",
      SN_MCP_RATE_LIMIT_READS: "0",
      SN_MCP_RATE_LIMIT_WRITES: "0",
      ...options.env,
    },
    clock.now,
  );
  const logs: string[] = [];
  const app = composeApp(config, { clock: () => clock.now, writeLog: (line) => logs.push(line), retryDelayMs: () => 0 });
  for (const notice of config.notices) app.log.warn(notice);
  const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
  await app.server.connect(serverTransport);
  const client = new Client({ name: "signing-key-mode-tests", version: "0.0.0" });
  await client.connect(clientTransport);
  const server: KeyModeServer = {
    solarUser,
    app,
    client,
    logs,
    clock,
    secret: admin.secret,
    call: async (name, args = {}) => (await client.callTool({ name, arguments: args })) as CallToolResult,
    requests: (suffix) => solarUser.requests.filter((r) => suffix === undefined || r.path.endsWith(suffix)).length,
  };
  running.push(server);
  return server;
}

/** Every key the server could have held: none may appear in a result or a log line. */
function expectNoKeyMaterial(server: KeyModeServer, outputs: string[], days: string[]) {
  const everything = [...outputs, ...server.logs].join("\n");
  expect(everything).not.toContain(server.secret);
  for (const day of days) {
    const hex = keyHex(server.secret, day);
    expect(everything).not.toContain(hex);
    expect(everything).not.toContain(hex.toUpperCase());
    expect(everything).not.toContain(Buffer.from(hex, "hex").toString("base64"));
  }
}

describe("the server with SN_TOKEN_SIGNING_KEY against the local SolarUser", () => {
  it("lists, creates and deletes with a key derived for today; no key material in any output", async () => {
    const server = await startKeyMode({ start: KEY_DAY_START + 9 * HOUR, keyDate: KEY_DAY });
    const created = await server.call("create_token", { type: "ReadNodeData", name: "key mode", nodeIds: [1] });
    expect(created.isError).toBeFalsy();
    const id = (created.structuredContent as { token: { id: string } }).token.id;
    const listed = await server.call("list_tokens", {});
    expect((listed.structuredContent as { tokens: { id: string }[] }).tokens.map((t) => t.id)).toContain(id);
    expect((await server.call("delete_token", { tokenId: id })).isError).toBeFalsy();
    expect(server.requests(REFRESH_PATH)).toBe(0);
    expectNoKeyMaterial(server, [created, listed].map((r) => textOf(r) + JSON.stringify(r.structuredContent)), [KEY_DAY]);
  });

  it("works with a key dated six days ago (refresh refused by the token's policy), warning of its expiry", async () => {
    const server = await startKeyMode({
      start: KEY_DAY_START + 6 * DAY + 22 * HOUR,
      keyDate: KEY_DAY,
      admin: { policy: { refreshAllowed: false } },
    });
    expect(server.logs.join("")).toContain("SN_TOKEN_SIGNING_KEY expires at 2026-03-17T00:00:00.000Z (in 2 h 0 min)");
    const listed = await server.call("list_tokens", {});
    expect(listed.isError).toBeFalsy();
    // The refresh was tried once, refused (403), and is not tried again.
    expect(server.requests(REFRESH_PATH)).toBe(1);
    expect(server.logs.join("")).toContain("refreshAllowed: false");
    await server.call("list_tokens", {});
    expect(server.requests(REFRESH_PATH)).toBe(1);
    expectNoKeyMaterial(server, [textOf(listed)], [KEY_DAY]);
  });

  it("once expired at run time, calls fail with the expiry instant and nothing is sent", async () => {
    const server = await startKeyMode({
      start: KEY_DAY_START + 7 * DAY - 60_000,
      keyDate: KEY_DAY,
      admin: { policy: { refreshAllowed: false } },
    });
    expect((await server.call("list_tokens", {})).isError).toBeFalsy();
    server.clock.now = KEY_DAY_START + 7 * DAY;
    const before = server.solarUser.requests.length;
    for (const [tool, args] of [
      ["list_tokens", {}],
      ["create_token", { type: "ReadNodeData", nodeIds: [1] }],
      ["delete_token", { tokenId: "aaaaaaaaaaaaaaaaaaaa" }],
    ] as const) {
      const result = await server.call(tool, args);
      expect(result.isError).toBe(true);
      expect(textOf(result)).toContain("expired at 2026-03-17T00:00:00.000Z");
      expect(textOf(result)).toContain("derive a new one");
      expect(textOf(result)).not.toMatch(/check SN_TOKEN and its secret/);
    }
    expect(server.solarUser.requests.length).toBe(before);
    expectNoKeyMaterial(server, [], [KEY_DAY]);
  });

  it("renews the key through refresh/v2 on the first call of a later UTC day, and keeps working past the old expiry", async () => {
    const server = await startKeyMode({ start: KEY_DAY_START + 5 * DAY + 10 * HOUR, keyDate: KEY_DAY });
    const first = await server.call("list_tokens", {});
    expect(first.isError).toBeFalsy();
    expect(server.requests(REFRESH_PATH)).toBe(1);
    const refresh = server.solarUser.requests.find((r) => r.path === REFRESH_PATH);
    expect(refresh?.query).toBe("date=2026-03-15");
    expect(server.logs.join("")).toContain('"expiresAt":"2026-03-22T00:00:00.000Z"');
    // The same day: no second refresh.
    server.clock.now += 3 * HOUR;
    await server.call("list_tokens", {});
    expect(server.requests(REFRESH_PATH)).toBe(1);
    // Past the first key's expiry, the renewed key signs (and is renewed again for that day).
    server.clock.now = KEY_DAY_START + 8 * DAY + HOUR;
    const later = await server.call("list_tokens", {});
    expect(later.isError).toBeFalsy();
    expect(server.requests(REFRESH_PATH)).toBe(2);
    expectNoKeyMaterial(server, [textOf(first), textOf(later)], [KEY_DAY, "2026-03-15", "2026-03-18"]);
  });

  it("after a failed refresh keeps the current key, and tries again only 15 minutes later", async () => {
    const server = await startKeyMode({ start: KEY_DAY_START + DAY + HOUR, keyDate: KEY_DAY });
    server.solarUser.injectFault({ match: { pathEndsWith: "/refresh/v2" }, kind: "status", status: 422 });
    expect((await server.call("list_tokens", {})).isError).toBeFalsy();
    expect(server.requests(REFRESH_PATH)).toBe(1);
    expect(server.logs.join("")).toContain("could not renew the SolarNetwork signing key");
    server.clock.now += 10 * 60_000;
    await server.call("list_tokens", {});
    expect(server.requests(REFRESH_PATH)).toBe(1);
    server.clock.now += 6 * 60_000;
    await server.call("list_tokens", {});
    expect(server.requests(REFRESH_PATH)).toBe(2);
    expect(server.logs.join("")).toContain("renewed the SolarNetwork signing key");
  });

  it("goes back to the last good key when SolarNetwork refuses a renewed one, and tries again only tomorrow", async () => {
    const server = await startKeyMode({ start: KEY_DAY_START + DAY + HOUR, keyDate: KEY_DAY });
    const wrong = JSON.stringify({ success: true, data: { key: "00".repeat(32) } });
    server.solarUser.injectFault({ match: { pathEndsWith: "/refresh/v2" }, kind: "status", status: 200, body: wrong });
    const first = await server.call("list_tokens", {});
    expect(first.isError, textOf(first)).toBeFalsy();
    expect(server.logs.join("")).toContain("refused the renewed signing key; went back to the previous one");
    server.clock.now += HOUR;
    expect((await server.call("list_tokens", {})).isError).toBeFalsy();
    expect(server.requests(REFRESH_PATH)).toBe(1);
    server.clock.now += DAY;
    expect((await server.call("list_tokens", {})).isError).toBeFalsy();
    expect(server.requests(REFRESH_PATH)).toBe(2);
  });
});

describe("keyRefresher", () => {
  it("asks once for concurrent calls", async () => {
    const keys = derivedKeySource("ab".repeat(32), KEY_DAY);
    let asked = 0;
    const refresher = keyRefresher({
      keys,
      fetchKey: async (date) => {
        asked++;
        await new Promise((resolve) => setImmediate(resolve));
        expect(date).toBe("2026-03-12");
        return "cd".repeat(32);
      },
      now: () => KEY_DAY_START + 2 * DAY,
      log: { info: () => {}, warn: () => {} },
    });
    await Promise.all([refresher.refreshIfDue(), refresher.refreshIfDue(), refresher.refreshIfDue()]);
    expect(asked).toBe(1);
    expect(keys.date).toBe("2026-03-12");
  });

  it("takes any 403 from the refresh endpoint as a refusal, and stops asking", async () => {
    const keys = derivedKeySource("ab".repeat(32), KEY_DAY);
    let asked = 0;
    const warnings: string[] = [];
    let now = KEY_DAY_START + 2 * DAY;
    const refresher = keyRefresher({
      keys,
      fetchKey: async () => {
        asked++;
        throw new SolarNetworkError("unauthorized", "some other wording", { status: 403 });
      },
      now: () => now,
      log: { info: () => {}, warn: (message: string) => void warnings.push(message) },
    });
    await refresher.refreshIfDue();
    now += DAY;
    await refresher.refreshIfDue();
    expect(asked).toBe(1);
    expect(warnings.join("\n")).toMatch(/does not allow renewing/);
    expect(keys.date).toBe(KEY_DAY);
  });
});

describe("node dist/cli.js with a signing key", () => {
  const run = (env: Record<string, string>) =>
    spawnSync(process.execPath, [CLI], { env: { PATH: process.env.PATH ?? "", ...env }, input: "", encoding: "utf8", timeout: 10_000 });
  const key = "fedcba9876543210".repeat(4);

  it("exits 2 naming SN_TOKEN_SIGNING_DATE for a key dated seven days ago", () => {
    const result = run({ SN_TOKEN: "server-token", SN_TOKEN_SIGNING_KEY: key, SN_TOKEN_SIGNING_DATE: isoDate(Date.now() - 7 * DAY) });
    expect(result.status).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    expect(result.stderr).toMatch(/SN_TOKEN_SIGNING_DATE: the signing key derived for .* expired at/);
    expect(result.stderr).not.toContain(key);
  });

  it("starts with a key dated six days ago and warns, on stderr, when it expires", () => {
    const date = isoDate(Date.now() - 6 * DAY);
    const result = run({ SN_URL: "http://127.0.0.1:9", SN_TOKEN: "server-token", SN_TOKEN_SIGNING_KEY: key, SN_TOKEN_SIGNING_DATE: date });
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain(`SN_TOKEN_SIGNING_KEY expires at ${new Date(signingKeyExpiry(date)).toISOString()}`);
    expect(result.stderr).not.toContain(key);
  });
});
