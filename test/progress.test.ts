import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { CallToolResult, Progress as ProgressNotice } from "@modelcontextprotocol/sdk/types.js";
import { afterEach, describe, expect, it, vi } from "vitest";
import { readConfig } from "../src/backends/solarnetwork/config.js";
import { startHttpMode } from "../src/http/mode.js";
import { readHttpOptions } from "../src/http/options.js";
import { startLocalSolarUser } from "../src/simulators/solarnetwork/solaruser.js";
import { LONG_LISTING, progressFor } from "../src/tools/progress.js";
import { composeApp, serverEnv, startHarness, type Harness } from "./support/harness.js";
import { ALLOW, startVastHarness } from "./support/vast-harness.js";

/** notifications/progress, as the SDK's client sees them (its onprogress), for calls that ask with a progressToken. */

const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const item of open.splice(0).reverse()) await item.close();
});

async function harness(options: Parameters<typeof startHarness>[0] = {}): Promise<Harness> {
  const h = await startHarness(options);
  open.push(h);
  return h;
}

/** Calls a tool through `client` with onprogress, and returns its result and the notices it got on the way. */
async function withProgress(client: Client, name: string, args: Record<string, unknown> = {}) {
  const notices: ProgressNotice[] = [];
  const result = (await client.callTool({ name, arguments: args }, undefined, { onprogress: (notice) => notices.push(notice) })) as CallToolResult;
  expect(result.isError, JSON.stringify(result.content)).toBeFalsy();
  return { result, notices };
}

const steps = (notices: ProgressNotice[]) => notices.map(({ progress, total }) => `${progress}/${total}`);

describe("progress notifications", () => {
  it("review_tokens reports reading, checking and its summary", async () => {
    const h = await harness();
    h.solarUser.seedToken({ type: "ReadNodeData" });
    const { notices } = await withProgress(h.client, "review_tokens");
    expect(steps(notices)).toEqual(["1/3", "2/3", "3/3"]);
    expect(notices[0]!.message).toBe("Read 2 tokens from SolarNetwork");
    expect(notices[2]!.message).toMatch(/^Reviewed 2 tokens/);
  });

  it("retire_assistant_tokens reports the tokens found, then each one handled", async () => {
    const h = await harness({ elicit: () => ALLOW });
    for (const nodeId of [1, 2]) await h.call("create_token", { type: "ReadNodeData", nodeIds: [nodeId], expiresIn: "30D" });
    const { notices } = await withProgress(h.client, "retire_assistant_tokens");
    expect(steps(notices)).toEqual(["1/3", "2/3", "3/3"]);
    expect(notices.map((notice) => notice.message)).toEqual([
      "Found 2 active tokens minted by an assistant",
      "1 of 2 handled (1 disabled, 0 failed)",
      "2 of 2 handled (2 disabled, 0 failed)",
    ]);
  });

  it("rotate_token reports finding the token, its successor and the old one's end, and no secret", async () => {
    const h = await harness({ elicit: () => ALLOW });
    const old = h.solarUser.seedToken({ type: "ReadNodeData", name: "feed" });
    const { result, notices } = await withProgress(h.client, "rotate_token", { tokenId: old.id });
    const successor = (result.structuredContent as { token: { id: string }; secret: string }).token.id;
    expect(steps(notices)).toEqual(["1/3", "2/3", "3/3"]);
    expect(notices.map((notice) => notice.message)).toEqual([`Found ${old.id}; creating its successor`, `Created the successor ${successor}`, `Retired ${old.id}`]);
    expect(JSON.stringify(notices)).not.toContain((result.structuredContent as { secret: string }).secret);
  });

  it(`list_tokens reports a listing of ${LONG_LISTING} tokens or more, and stays quiet for a short one`, async () => {
    const h = await harness();
    expect((await withProgress(h.client, "list_tokens")).notices).toEqual([]);
    for (let i = 0; i < LONG_LISTING; i++) h.solarUser.seedToken({ type: "ReadNodeData" });
    const { notices } = await withProgress(h.client, "list_tokens");
    expect(steps(notices)).toEqual(["1/2", "2/2"]);
    expect(notices.map((notice) => notice.message)).toEqual([`Read ${LONG_LISTING + 1} tokens`, `Tokens 1-50 of ${LONG_LISTING + 1}. More with offset 50.`]);
  });

  it("on VAST too: review_tokens", async () => {
    const h = await startVastHarness();
    open.push(h);
    const { notices } = await withProgress(h.client, "review_tokens");
    expect(steps(notices)).toEqual(["1/3", "2/3", "3/3"]);
    expect(notices[0]!.message).toBe("Read 1 token from VAST VMS");
  });

  it("over HTTP, on the call's own response stream", async () => {
    const solarUser = await startLocalSolarUser();
    const admin = solarUser.seedToken({ type: "User", userId: 1 });
    const config = readConfig(serverEnv(solarUser, admin));
    const app = composeApp(config, { writeLog: () => {} });
    const bearer = "progress-bearer-0123456789abcdef0123456789";
    const mode = await startHttpMode(app, readHttpOptions({ SN_MCP_HTTP_TOKEN: bearer }, { port: "0" }));
    const client = new Client({ name: "progress-test", version: "0" });
    await client.connect(new StreamableHTTPClientTransport(new URL(mode.url), { requestInit: { headers: { Authorization: `Bearer ${bearer}` } } }));
    open.push({ close: async () => (await client.close(), await mode.shutdown(0), await solarUser.close()) });
    expect(steps((await withProgress(client, "review_tokens")).notices)).toEqual(["1/3", "2/3", "3/3"]);
  });
});

describe("progressFor", () => {
  const origin = (progressToken?: string) => {
    const sent: unknown[] = [];
    return { sent, _meta: progressToken === undefined ? {} : { progressToken }, sendNotification: vi.fn(async (notice: unknown) => void sent.push(notice)) };
  };

  it("sends nothing for a call without a progressToken", () => {
    const call = origin();
    progressFor(call, (text) => text, () => {})(1, 2, "step");
    expect(call.sendNotification).not.toHaveBeenCalled();
  });

  it("sends only increasing progress, its message redacted, and a send that fails is handed to onFailure", async () => {
    const call = origin("t1");
    const failures: unknown[] = [];
    const progress = progressFor(call, (text) => text.replace("secret", "[redacted]"), (error) => failures.push(error));
    progress(1, 3, "one secret");
    progress(1, 3, "again");
    progress(2, 3, "two");
    expect(call.sent).toEqual([
      { method: "notifications/progress", params: { progressToken: "t1", progress: 1, total: 3, message: "one [redacted]" } },
      { method: "notifications/progress", params: { progressToken: "t1", progress: 2, total: 3, message: "two" } },
    ]);
    call.sendNotification.mockRejectedValueOnce(new Error("gone"));
    progress(3, 3, "three");
    await vi.waitFor(() => expect(failures).toHaveLength(1), { timeout: 20_000 });
  });
});
