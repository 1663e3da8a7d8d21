import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { afterEach, describe, expect, it } from "vitest";
import { startHarness, textOf } from "./support/harness.js";
import { startVastHarness } from "./support/vast-harness.js";

/**
 * The backend contract: the same behaviours, through a real MCP client, against both backends and
 * their simulators. What differs per backend (tool names, arguments, faults) is in its `Subject`.
 */

interface Driver {
  toolNames(): Promise<string[]>;
  call(name: string, args?: Record<string, unknown>): Promise<CallToolResult>;
  /** Requests the simulator received since the last `mark()`. */
  sent(): number;
  mark(): void;
  logs: string[];
  /** The next create is applied by the simulator, and its reply lost. */
  loseNextCreateReply(): void;
  close(): Promise<void>;
}

interface Subject {
  backend: string;
  start(env?: Record<string, string>): Promise<Driver>;
  /** A valid create_token argument set, named `name`. */
  create(name: string): Record<string, unknown>;
  /** The tool that ends a token. */
  end: "delete_token" | "revoke_token";
  /** Calls whose arguments are invalid: each must be refused before anything is sent. */
  invalid: readonly (readonly [tool: string, args: Record<string, unknown>])[];
  /** The parts of a new credential that must never show again. */
  secretParts(secret: string): string[];
}

const solarNetwork: Subject = {
  backend: "SolarNetwork",
  async start(env = {}) {
    const h = await startHarness({ env });
    return {
      toolNames: async () => (await h.client.listTools()).tools.map((tool) => tool.name).sort(),
      call: h.call,
      sent: h.requestsSinceMark,
      mark: h.mark,
      logs: h.logs,
      loseNextCreateReply: () => h.solarUser.injectFault({ match: { pathEndsWith: "/generate/ReadNodeData" }, kind: "applyThenReset" }),
      close: h.close,
    };
  },
  create: (name) => ({ type: "ReadNodeData", name, nodeIds: [1], expiresIn: "1D" }),
  end: "delete_token",
  invalid: [
    ["create_token", { type: "NoSuchType" }],
    ["create_token", { type: "ReadNodeData", nodeIds: [1], expiresIn: "0D" }],
    ["create_token", { type: "ReadNodeData", nodeIds: [1], expirationDate: "2001-01-01" }],
    ["create_token", { type: "ReadNodeData", nodeIds: [1], bogus: true }],
    ["create_token", { type: "ReadNodeData", nodeIds: [] }],
    ["update_token", { tokenId: "not a token id" }],
    ["delete_token", { tokenId: "" }],
    ["list_tokens", { limit: 0 }],
  ],
  secretParts: (secret) => [secret],
};

const vast: Subject = {
  backend: "VAST VMS",
  async start(env = {}) {
    const h = await startVastHarness({ env });
    return {
      toolNames: async () => (await h.client.listTools()).tools.map((tool) => tool.name).sort(),
      call: h.call,
      sent: () => h.sentSinceMark(),
      mark: h.mark,
      logs: h.logs,
      loseNextCreateReply: () => h.vms.injectFault({ match: { method: "POST" }, kind: "applyThenFail", reply: "reset" }),
      close: h.close,
    };
  },
  create: (name) => ({ name, expiresIn: "1D" }),
  end: "revoke_token",
  invalid: [
    ["create_token", { owner: "not a user name" }],
    ["create_token", { expiresIn: "0D" }],
    ["create_token", { expirationDate: "2001-01-01" }],
    ["create_token", { bogus: true }],
    ["create_token", { name: "x".repeat(51) }],
    ["update_token", { tokenId: "short" }],
    ["update_token", { tokenId: "AbCdEfGh", status: "Disabled" }],
    ["revoke_token", { tokenId: "AbCdEfGh.TheSecretPartOfACredential0123" }],
    ["list_tokens", { limit: 0 }],
  ],
  // The whole ID.SECRET, and the secret alone.
  secretParts: (secret) => [secret, secret.slice(secret.indexOf(".") + 1)],
};

let running: Driver[] = [];
afterEach(async () => {
  for (const driver of running) await driver.close();
  running = [];
});

async function started(subject: Subject, env?: Record<string, string>): Promise<Driver> {
  const driver = await subject.start(env);
  running.push(driver);
  return driver;
}

describe.each([solarNetwork, vast])("the backend contract: $backend", (subject) => {
  it("invalid arguments are refused, naming the argument, and never reach the network", async () => {
    const driver = await started(subject);
    for (const [tool, args] of subject.invalid) {
      const call = `${tool} ${JSON.stringify(args)}`;
      driver.mark();
      const result = await driver.call(tool, args);
      expect(result.isError, call).toBe(true);
      expect(textOf(result), call).toMatch(/^(Invalid|Unknown) arguments? "/m);
      expect(driver.sent(), call).toBe(0);
    }
  });

  it("read-only mode offers only the read tools, and a call to another tool sends nothing", async () => {
    const driver = await started(subject, { SN_MCP_READ_ONLY: "true" });
    expect(await driver.toolNames()).toEqual(["list_tokens", "review_tokens"]);
    expect((await driver.call("list_tokens", {})).isError).toBeFalsy();
    driver.mark();
    // Not offered at all: the client gets an error result or a protocol error, never a token.
    const refused = await driver.call("create_token", subject.create("read-only")).then(
      (result) => result.isError === true,
      () => true,
    );
    expect(refused).toBe(true);
    expect(driver.sent()).toBe(0);
  });

  it("a new token's secret is in its create result only: never in a later list, update, end or log line", async () => {
    const driver = await started(subject);
    const created = await driver.call("create_token", subject.create("shown once"));
    expect(created.isError).toBeFalsy();
    const { token, secret } = created.structuredContent as { token: { id: string }; secret: string };
    expect(typeof secret).toBe("string");
    expect(JSON.stringify(created)).toContain(secret);
    const later = [
      await driver.call("list_tokens", {}),
      await driver.call("list_tokens", { displayMode: "pretty" }),
      await driver.call("list_tokens", { displayMode: "csv", search: token.id }),
      await driver.call("update_token", { tokenId: token.id, name: "renamed" }),
      await driver.call(subject.end, { tokenId: token.id }),
    ];
    expect(later.map((result) => Boolean(result.isError))).toEqual([false, false, false, false, false]);
    const shown = [...later.map((result) => JSON.stringify(result)), ...driver.logs].join("\n");
    for (const part of subject.secretParts(secret)) expect(shown).not.toContain(part);
  });

  it('a create whose reply was lost after it was applied leaves no token behind, and never says "try again"', async () => {
    const driver = await started(subject);
    driver.loseNextCreateReply();
    const lost = await driver.call("create_token", subject.create("reply lost"));
    expect(lost.isError).toBe(true);
    expect(textOf(lost)).toMatch(/No usable reply came to the create/);
    expect(textOf(lost)).not.toMatch(/try again/i);
    const listed = (await driver.call("list_tokens", {})).structuredContent as { tokens: { name?: string; status: string }[] };
    expect(listed.tokens.filter((token) => token.name === "reply lost" && token.status === "Active")).toEqual([]);
  });

  it("refuses calls over the operator's rate limits before sending anything, saying when to retry", async () => {
    const driver = await started(subject, { SN_MCP_RATE_LIMIT_WRITES: "1", SN_MCP_RATE_LIMIT_READS: "2" });
    expect((await driver.call("create_token", subject.create("first"))).isError).toBeFalsy();
    driver.mark();
    const write = await driver.call("create_token", subject.create("second"));
    expect(write.isError).toBe(true);
    expect(textOf(write)).toMatch(/Too many changes.*Try again in \d+ s/);
    expect(driver.sent()).toBe(0);

    expect((await driver.call("list_tokens", {})).isError).toBeFalsy();
    expect((await driver.call("list_tokens", {})).isError).toBeFalsy();
    driver.mark();
    const read = await driver.call("list_tokens", {});
    expect(read.isError).toBe(true);
    expect(textOf(read)).toMatch(/Try again in \d+ s/);
    expect(driver.sent()).toBe(0);
  });
});
