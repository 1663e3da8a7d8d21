import { afterEach, describe, expect, it, vi } from "vitest";
import { gate, startHarness, textOf, type Harness } from "./support/harness.js";

let h: Harness;
afterEach(async () => {
  await h.close();
});

const tokenCalls = (h: Harness, suffix: string) =>
  h.solarUser.requests.filter((r) => r.path.endsWith(suffix)).length;

describe("reads", () => {
  it("are retried on 5xx and connection resets, then succeed", async () => {
    h = await startHarness();
    h.solarUser.injectFault({ kind: "status", status: 503 });
    h.solarUser.injectFault({ kind: "reset" });
    h.mark();
    const result = await h.call("list_tokens", {});
    expect(result.isError).toBeFalsy();
    expect(h.requestsSinceMark()).toBe(3);
  });

  it("give a clear error after two retries", async () => {
    h = await startHarness();
    for (let i = 0; i < 3; i++) h.solarUser.injectFault({ kind: "status", status: 500, body: "<html><body>Oops</body></html>", contentType: "text/html" });
    h.mark();
    const result = await h.call("list_tokens", {});
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/SolarNetwork failed to complete the request/);
    expect(textOf(result)).not.toContain("Oops");
    expect(h.requestsSinceMark()).toBe(3);
  });

  it("report a reply that is not JSON without passing it on", async () => {
    h = await startHarness();
    h.solarUser.injectFault({ kind: "status", status: 200, body: "{not json", contentType: "application/json" });
    const result = await h.call("list_tokens", {});
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/could not read/);
  });

  it("report a JSON reply of the wrong shape, passing none of it on", async () => {
    h = await startHarness();
    const reply = { success: true, data: { results: [{ id: "TOKEN-OF-WRONG-SHAPE", created: "2025-01-01 00:00:00Z", userId: "1", status: "Active", type: "User" }] } };
    h.solarUser.injectFault({ kind: "status", status: 200, body: JSON.stringify(reply), contentType: "application/json" });
    const result = await h.call("list_tokens", {});
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/could not read/);
    expect(textOf(result)).not.toContain("TOKEN-OF-WRONG-SHAPE");
  });

  it("honour 429 and retry", async () => {
    h = await startHarness();
    h.solarUser.injectFault({ kind: "status", status: 429, headers: { "Retry-After": "0" } });
    h.mark();
    expect((await h.call("list_tokens", {})).isError).toBeFalsy();
    expect(h.requestsSinceMark()).toBe(2);
  });

  it("time out with SN_MCP_TIMEOUT_MS", async () => {
    h = await startHarness({ env: { SN_MCP_TIMEOUT_MS: "200" } });
    for (let i = 0; i < 3; i++) h.solarUser.injectFault({ kind: "delay", ms: 5_000 });
    const result = await h.call("list_tokens", {});
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/did not answer in time/);
  });

  it("time out on a reply whose body stalls", async () => {
    h = await startHarness({ env: { SN_MCP_TIMEOUT_MS: "200" } });
    for (let i = 0; i < 3; i++) h.solarUser.injectFault({ kind: "slowBody", ms: 5_000 });
    const result = await h.call("list_tokens", {});
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/did not answer in time/);
  });

  it("are cancelled when the MCP client cancels the call", async () => {
    h = await startHarness();
    h.solarUser.injectFault({ kind: "delay", ms: 10_000 });
    const controller = new AbortController();
    const call = h.client.callTool({ name: "list_tokens", arguments: {} }, undefined, { signal: controller.signal });
    await vi.waitFor(() => expect(h.solarUser.requests.length).toBeGreaterThan(0), { timeout: 20_000 });
    controller.abort();
    await expect(call).rejects.toThrow();
    // The abort reached the HTTP request: the tool gave up long before the held reply.
    await vi.waitFor(() => expect(h.logs.join("\n")).toMatch(/The request was cancelled/), { timeout: 20_000 });
  });
});

describe("a create", () => {
  it("cancelled while SolarNetwork holds its reply finishes, and the token no one got the secret of is deleted", async () => {
    h = await startHarness();
    const release = gate();
    h.solarUser.injectFault({ match: { pathEndsWith: "/generate/ReadNodeData" }, kind: "hold", release: release.promise });
    const controller = new AbortController();
    const call = h.client.callTool({ name: "create_token", arguments: { type: "ReadNodeData", nodeIds: [1] } }, undefined, {
      signal: controller.signal,
    });
    await vi.waitFor(() => expect(tokenCalls(h, "/generate/ReadNodeData")).toBe(1), { timeout: 20_000 });
    controller.abort();
    await expect(call).rejects.toThrow();
    release.resolve();
    await vi.waitFor(() => expect(h.logs.join("\n")).toMatch(/ending a new token whose secret cannot be delivered.*The call was cancelled/), { timeout: 20_000 });
    expect(h.logs.join("\n")).not.toMatch(/Check the network|setting the new token's name failed/);
    const deletes = h.solarUser.requests.filter((q) => q.method === "DELETE");
    expect(deletes).toHaveLength(1);
    expect(deletes[0]?.status).toBe(200);
    const listed = (await h.call("list_tokens", {})).structuredContent as { tokens: { id: string }[] };
    expect(listed.tokens.map((token) => token.id)).toEqual([h.admin.id]);
  });

  it("is never retried on a server error", async () => {
    h = await startHarness();
    h.solarUser.injectFault({ match: { pathEndsWith: "/generate/User" }, kind: "status", status: 500 });
    const result = await h.call("create_token", { type: "User" });
    expect(result.isError).toBe(true);
    expect(tokenCalls(h, "/generate/User")).toBe(1);
  });

  for (const [what, fault] of [
    ["lost (connection cut)", { kind: "applyThenReset" }],
    ["a 502 from a proxy", { kind: "applyThenStatus", status: 502, body: "<html>Bad Gateway</html>", contentType: "text/html" }],
    ["a 429", { kind: "applyThenStatus", status: 429 }],
    ["an unreadable 200", { kind: "applyThenStatus", status: 200, body: '{"success":true,"data":{"id":', contentType: "application/json" }],
    ["a 200 of the wrong shape", { kind: "applyThenStatus", status: 200, body: '{"success":true,"data":{"id":7}}', contentType: "application/json" }],
  ] as const) {
    it(`whose reply is ${what} after it was applied is not re-sent; the orphan is found and deleted, and no retry is advised`, async () => {
      h = await startHarness();
      await h.call("create_token", { type: "ReadNodeData", nodeIds: [1], expiresIn: "1D", name: "other, kept" });
      h.solarUser.injectFault({ match: { pathEndsWith: "/generate/ReadNodeData" }, ...fault });
      const result = await h.call("create_token", { type: "ReadNodeData", nodeIds: [1], expiresIn: "1D" });
      expect(result.isError).toBe(true);
      expect(textOf(result)).toMatch(/No usable reply came to the create; SolarNetwork had made token .*, so it was deleted again/);
      expect(textOf(result)).not.toMatch(/try again later/i);
      expect(tokenCalls(h, "/generate/ReadNodeData")).toBe(2);
      const listed = (await h.call("list_tokens", { type: "ReadNodeData" })).structuredContent as { tokens: { name?: string }[] };
      expect(listed.tokens.map((token) => token.name)).toEqual(["other, kept"]);
    });
  }

  it("whose reply is lost ends only its own orphan, never a matching token that was there before", async () => {
    h = await startHarness();
    const policy = { nodeIds: [1], notAfter: Date.parse("2099-01-01T00:00:00Z") };
    const theirs = h.solarUser.seedToken({ type: "ReadNodeData", policy });
    h.solarUser.injectFault({ match: { pathEndsWith: "/generate/ReadNodeData" }, kind: "applyThenReset" });
    const result = await h.call("create_token", { type: "ReadNodeData", nodeIds: [1], expirationDate: "2099-01-01" });
    expect(textOf(result)).toMatch(/had made token .*, so it was deleted again/);
    expect(textOf(result)).not.toContain(theirs.id);
    const listed = (await h.call("list_tokens", { type: "ReadNodeData" })).structuredContent as { tokens: { id: string }[] };
    expect(listed.tokens.map((token) => token.id)).toEqual([theirs.id]);
  });

  it("refused before it was applied says nothing was created", async () => {
    h = await startHarness();
    h.solarUser.injectFault({ match: { pathEndsWith: "/generate/ReadNodeData" }, kind: "status", status: 503 });
    const result = await h.call("create_token", { type: "ReadNodeData", nodeIds: [1], expiresIn: "1D" });
    expect(textOf(result)).toMatch(/holds no new token from it, so most likely nothing was created\. Check list_tokens before creating it again/);
  });
});

describe("clock skew", () => {
  for (const minutes of [20, -20]) {
    it(`of ${minutes} minutes is corrected once from the reply's Date header`, async () => {
      h = await startHarness({ clock: () => Date.now() + minutes * 60_000 });
      h.mark();
      expect((await h.call("list_tokens", {})).isError).toBeFalsy();
      expect(h.requestsSinceMark()).toBe(2);
      h.mark();
      expect((await h.call("list_tokens", {})).isError).toBeFalsy();
      expect(h.requestsSinceMark()).toBe(1);
    });
  }

  it("adopts no server clock more than an hour off (a reply's Date could claim +40 days)", async () => {
    h = await startHarness({ clock: () => Date.now() - 40 * 86_400_000 });
    const result = await h.call("list_tokens", {});
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/more than an hour off.*Check this machine's clock/);
  });

  it("corrects a create once without minting twice", async () => {
    h = await startHarness({ clock: () => Date.now() - 20 * 60_000 });
    const result = await h.call("create_token", { type: "ReadNodeData" });
    expect(result.isError).toBeFalsy();
    const listed = (await h.call("list_tokens", { type: "ReadNodeData" })).structuredContent as { total: number };
    expect(listed.total).toBe(1);
  });
});
