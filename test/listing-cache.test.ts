import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { afterEach, describe, expect, it } from "vitest";
import { TOKENS_PATH } from "../src/backends/solarnetwork/api.js";
import { withListingCache } from "../src/backends/solarnetwork/listing-cache.js";
import { HTTP_LISTING_CACHE_MS } from "../src/http/options.js";
import type { Token } from "../src/backends/solarnetwork/model.js";
import type { TokenService } from "../src/backends/solarnetwork/service.js";
import { composeApp } from "./support/harness.js";
import { readConfig } from "../src/backends/solarnetwork/config.js";
import { startHttpMode } from "../src/http/mode.js";
import { readHttpOptions } from "../src/http/options.js";
import { startLocalSolarUser, type LocalSolarUser } from "../src/simulators/solarnetwork/solaruser.js";
import { serveBinary } from "./support/binary.js";
import { gate, serverEnv } from "./support/harness.js";

const BEARER = "test-bearer-0123456789abcdef0123456789abcdef";
const FIND_PATH = `${TOKENS_PATH}/find`;
const SEEDED = 10;
const PAGE = 4;

interface Served {
  solarUser: LocalSolarUser;
  client: Client;
  /** The injected wall clock: tests move it by hand. */
  clock: { now: number };
  /** /find requests SolarUser received so far. */
  finds(): number;
  page(offset: number): Promise<{ ids: string[]; names: (string | undefined)[]; total: number }>;
  call(name: string, args: Record<string, unknown>): Promise<CallToolResult>;
}

const closing: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closing.splice(0).reverse()) await close();
});

/** HTTP mode as `--http` composes it, over the SDK's HTTP client, against a SolarUser holding `SEEDED` tokens. */
async function serve(listingCacheMs: number | undefined): Promise<Served> {
  const solarUser = await startLocalSolarUser();
  closing.push(() => solarUser.close());
  const admin = solarUser.seedToken({ type: "User", userId: 123 });
  for (let n = 0; n < SEEDED - 1; n++) solarUser.seedToken({ type: "ReadNodeData", name: `seeded ${n}` });
  const clock = { now: Date.now() };
  const config = readConfig(serverEnv(solarUser, admin));
  const app = composeApp(config, { writeLog: () => {}, retryDelayMs: () => 0, clock: () => clock.now, listingCacheMs });
  const mode = await startHttpMode(app, readHttpOptions({ SN_MCP_HTTP_TOKEN: BEARER }, { port: "0" }, config.tokenSecret));
  closing.push(() => mode.shutdown(0));
  const client = new Client({ name: "listing-cache-test", version: "0" });
  await client.connect(new StreamableHTTPClientTransport(new URL(mode.url), { requestInit: { headers: { Authorization: `Bearer ${BEARER}` } } }));
  closing.push(() => client.close());
  const call = async (name: string, args: Record<string, unknown>) => (await client.callTool({ name, arguments: args })) as CallToolResult;
  return {
    solarUser,
    client,
    clock,
    finds: () => solarUser.requests.filter((request) => request.path === FIND_PATH).length,
    call,
    async page(offset) {
      const result = await call("list_tokens", { limit: PAGE, offset });
      expect(result.isError).toBeFalsy();
      const { tokens, total } = result.structuredContent as { tokens: { id: string; name?: string }[]; total: number };
      return { ids: tokens.map((token) => token.id), names: tokens.map((token) => token.name), total };
    },
  };
}

describe("HTTP mode's listing cache", () => {
  it("pages through list_tokens on one /find request", async () => {
    const s = await serve(HTTP_LISTING_CACHE_MS);
    const pages = [await s.page(0), await s.page(PAGE), await s.page(2 * PAGE)];
    expect(s.finds()).toBe(1);
    expect(pages.flatMap((page) => page.ids)).toHaveLength(SEEDED);
    expect(new Set(pages.flatMap((page) => page.ids)).size).toBe(SEEDED);
  });

  it("sends one /find for calls that miss the cache together", async () => {
    const s = await serve(HTTP_LISTING_CACHE_MS);
    const release = gate();
    s.solarUser.injectFault({ match: { pathEndsWith: "/find" }, kind: "hold", release: release.promise });
    const pages = [0, PAGE, 2 * PAGE, 0, PAGE].map((offset) => s.page(offset));
    await expect.poll(() => s.finds()).toBe(1);
    release.resolve();
    const answered = await Promise.all(pages);
    expect(answered.map((page) => page.total)).toEqual(Array(5).fill(SEEDED));
    expect(new Set(answered.slice(0, 3).flatMap((page) => page.ids)).size).toBe(SEEDED);
    expect(s.finds()).toBe(1);
  });

  it("asks again after a create or an update, and shows the change", async () => {
    const s = await serve(HTTP_LISTING_CACHE_MS);
    await s.page(0);
    const created = await s.call("create_token", { type: "ReadNodeData", nodeIds: [7], name: "new one" });
    expect(created.isError).toBeFalsy();
    const findsAfterCreate = s.finds();
    expect((await s.page(PAGE)).total).toBe(SEEDED + 1);
    expect(s.finds()).toBe(findsAfterCreate + 1);

    const [first] = (await s.page(0)).ids;
    const updated = await s.call("update_token", { tokenId: first, name: "renamed" });
    expect(updated.isError).toBeFalsy();
    const findsAfterUpdate = s.finds();
    expect((await s.page(0)).names[0]).toBe("renamed");
    expect(s.finds()).toBe(findsAfterUpdate + 1);
  });

  it("asks again after a write that failed but may have applied", async () => {
    const s = await serve(HTTP_LISTING_CACHE_MS);
    const [first] = (await s.page(0)).ids;
    s.solarUser.injectFault({ match: { pathEndsWith: "/info" }, kind: "applyThenStatus", status: 502 });
    const updated = await s.call("update_token", { tokenId: first, name: "renamed" });
    expect(updated.isError).toBe(true);
    const findsAfterUpdate = s.finds();
    expect((await s.page(0)).names[0]).toBe("renamed");
    expect(s.finds()).toBe(findsAfterUpdate + 1);
  });

  it("does not keep a listing that was in flight while a write ran", async () => {
    const s = await serve(HTTP_LISTING_CACHE_MS);
    const [first] = (await s.page(0)).ids;
    s.clock.now += HTTP_LISTING_CACHE_MS;
    const release = gate();
    s.solarUser.injectFault({ match: { pathEndsWith: "/find" }, kind: "hold", release: release.promise });
    const listing = s.page(0);
    await expect.poll(() => s.finds()).toBe(2);
    expect((await s.call("update_token", { tokenId: first, name: "renamed" })).isError).toBeFalsy();
    release.resolve();
    expect((await listing).names[0]).not.toBe("renamed");
    const findsBefore = s.finds();
    expect((await s.page(0)).names[0]).toBe("renamed");
    expect(s.finds()).toBe(findsBefore + 1);
  });

  it("asks again once the listing is older than its time to live", async () => {
    const s = await serve(HTTP_LISTING_CACHE_MS);
    await s.page(0);
    s.clock.now += HTTP_LISTING_CACHE_MS - 1;
    await s.page(PAGE);
    expect(s.finds()).toBe(1);
    s.clock.now += 1;
    await s.page(2 * PAGE);
    expect(s.finds()).toBe(2);
  });

  it("keeps each filter's listing apart", async () => {
    const s = await serve(HTTP_LISTING_CACHE_MS);
    const all = await s.call("list_tokens", {});
    const users = await s.call("list_tokens", { type: "User" });
    expect((all.structuredContent as { total: number }).total).toBe(SEEDED);
    expect((users.structuredContent as { total: number }).total).toBe(1);
    expect(s.finds()).toBe(2);
  });

  it("is off unless the composition asks for it (stdio mode): each page asks", async () => {
    const s = await serve(undefined);
    await s.page(0);
    await s.page(PAGE);
    await s.page(2 * PAGE);
    expect(s.finds()).toBe(3);
  });
});

describe("the shipped binary", () => {
  it("turns the cache on with --http", async () => {
    const solarUser = await startLocalSolarUser();
    closing.push(() => solarUser.close());
    const admin = solarUser.seedToken({ type: "User", userId: 123 });
    for (let n = 0; n < SEEDED - 1; n++) solarUser.seedToken({ type: "ReadNodeData", name: `seeded ${n}` });
    const { child, url, exited } = await serveBinary(["--http", "--port", "0"], serverEnv(solarUser, admin, { SN_MCP_HTTP_TOKEN: BEARER, SN_MCP_LOG_LEVEL: "info" }));
    closing.push(async () => {
      child.kill("SIGTERM");
      await exited;
    });
    const client = new Client({ name: "listing-cache-test", version: "0" });
    await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { Authorization: `Bearer ${BEARER}` } } }));
    closing.push(() => client.close());
    for (const offset of [0, PAGE, 2 * PAGE]) {
      const result = (await client.callTool({ name: "list_tokens", arguments: { limit: PAGE, offset } })) as CallToolResult;
      expect(result.isError).toBeFalsy();
    }
    expect(solarUser.requests.filter((request) => request.path === FIND_PATH)).toHaveLength(1);
  });
});

describe("withListingCache", () => {
  it("reads anew for a fresh listing, the check a write depends on", async () => {
    let lists = 0;
    const unused = () => Promise.reject(new Error("not used here"));
    const service: TokenService = { list: async () => (lists++, []), get: unused, create: unused, setInfo: unused, setStatus: unused, updatePolicy: unused, delete: unused };
    const cached = withListingCache(service, HTTP_LISTING_CACHE_MS, () => 0);
    await cached.list({ type: "User" });
    await cached.list({ type: "User" });
    expect(lists).toBe(1);
    await cached.list({ type: "User", fresh: true });
    expect(lists).toBe(2);
  });

  // The order the simulator cannot be made to show: a listing read before a write applies, answered while the write is still out.
  it("forgets a listing read while a write was still out", async () => {
    let name = "before";
    const written = gate();
    const listing = (): Token[] => [{ id: "T1", created: "2026-01-01T00:00:00.000Z", userId: 1, status: "Active", type: "User", expired: false, name }];
    let lists = 0;
    const unused = () => Promise.reject(new Error("not used here"));
    const service: TokenService = {
      list: async () => (lists++, listing()),
      setInfo: async (_id, info) => {
        await written.promise;
        name = info.name ?? "";
      },
      get: unused,
      create: unused,
      setStatus: unused,
      updatePolicy: unused,
      delete: unused,
    };
    const cached = withListingCache(service, HTTP_LISTING_CACHE_MS, () => 0);
    const write = cached.setInfo("T1", { name: "after" });
    expect((await cached.list({}))[0]!.name).toBe("before");
    written.resolve();
    await write;
    expect((await cached.list({}))[0]!.name).toBe("after");
    expect(lists).toBe(2);
  });

  /** A service whose listings wait for `release`, seeing each request's signal. */
  function heldService() {
    const release = gate();
    const signals: AbortSignal[] = [];
    const unused = () => Promise.reject(new Error("not used here"));
    const token: Token = { id: "T1", created: "2026-01-01T00:00:00.000Z", userId: 1, status: "Active", type: "User", expired: false };
    const service: TokenService = {
      list: async (_filter, signal) => {
        signals.push(signal!);
        await release.promise;
        signal?.throwIfAborted();
        return [token];
      },
      get: unused,
      create: unused,
      setInfo: unused,
      setStatus: unused,
      updatePolicy: unused,
      delete: unused,
    };
    return { service, signals, release };
  }

  it("lets a caller who gives up leave a shared listing without ending it for the others", async () => {
    const { service, signals, release } = heldService();
    const cached = withListingCache(service, HTTP_LISTING_CACHE_MS, () => 0);
    const leaving = new AbortController();
    const left = cached.list({}, leaving.signal);
    const staying = cached.list({});
    expect(signals).toHaveLength(1);
    leaving.abort(new Error("client went away"));
    await expect(left).rejects.toThrow("client went away");
    expect(signals[0]!.aborted).toBe(false);
    release.resolve();
    expect((await staying).map((token) => token.id)).toEqual(["T1"]);
  });

  it("ends the shared request once every caller has given up, and the next caller asks anew", async () => {
    const { service, signals, release } = heldService();
    const cached = withListingCache(service, HTTP_LISTING_CACHE_MS, () => 0);
    const callers = [new AbortController(), new AbortController()];
    const listings = callers.map((caller) => cached.list({}, caller.signal));
    for (const caller of callers) caller.abort(new Error("gone"));
    await Promise.all(listings.map((listing) => expect(listing).rejects.toThrow("gone")));
    expect(signals[0]!.aborted).toBe(true);
    release.resolve();
    const next = cached.list({});
    await expect(next).resolves.toHaveLength(1);
    expect(signals).toHaveLength(2);
  });

  it("does not share a listing begun before a write with a caller who came after it", async () => {
    const { service, signals, release } = heldService();
    const written = gate();
    service.setInfo = () => written.promise;
    const cached = withListingCache(service, HTTP_LISTING_CACHE_MS, () => 0);
    const before = cached.list({});
    const write = cached.setInfo("T1", { name: "after" });
    const after = cached.list({});
    expect(signals).toHaveLength(2);
    release.resolve();
    written.resolve();
    await Promise.all([before, after, write]);
  });
});
