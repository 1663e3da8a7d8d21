import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startHarness, textOf, type Harness } from "./support/harness.js";

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

async function create(args: Json): Promise<Json> {
  const result = await h.call("create_token", args);
  expect(result.isError, textOf(result)).toBeFalsy();
  return result.structuredContent as Json;
}

describe("tools/list", () => {
  it("offers the tools with strict, described inputs, output schemas and explicit hints", async () => {
    const { tools } = await h.client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(["create_token", "delete_token", "list_tokens", "retire_assistant_tokens", "review_tokens", "rotate_token", "update_token"]);
    const createFields = tools.find((t) => t.name === "create_token")!.inputSchema.properties as Record<string, Json>;
    for (const tool of tools) {
      // Strict: the server refuses an unknown key itself, naming it, before anything is sent.
      expect(textOf(await h.call(tool.name, { colour: "red" })), tool.name).toMatch(/Unknown argument "colour": remove it\.\nNothing was sent to SolarNetwork\./);
      for (const [field, schema] of Object.entries(tool.inputSchema.properties ?? {})) {
        // A field described once, in create_token, is referred to there by the tools that share it.
        const describedInCreate = tool.description?.includes("in create_token") && createFields[field]?.description;
        expect((schema as Json).description ?? describedInCreate, `${tool.name}.${field}`).toBeTruthy();
      }
      expect(tool.outputSchema, tool.name).toBeDefined();
      for (const hint of ["readOnlyHint", "destructiveHint", "idempotentHint", "openWorldHint"] as const) {
        expect(typeof tool.annotations?.[hint], `${tool.name}.${hint}`).toBe("boolean");
      }
    }
    const byName = Object.fromEntries(tools.map((t) => [t.name, t]));
    expect(byName.list_tokens!.annotations!.readOnlyHint).toBe(true);
    expect(byName.delete_token!.annotations!.destructiveHint).toBe(true);
    expect(byName.create_token!.annotations!.readOnlyHint).toBe(false);
  });
});

describe("create_token", () => {
  it("mints a restricted data token with a relative expiry and reveals the secret once", async () => {
    const before = Date.now();
    const out = await create({
      type: "ReadNodeData",
      name: "Reporting: region 1",
      nodeIds: [101, 100],
      sourceIds: ["/REGION1/**"],
      minAggregation: "Hour",
      expiresIn: "30D",
    });
    expect(out.token).toMatchObject({
      type: "ReadNodeData",
      status: "Active",
      name: "Reporting: region 1",
      policy: { nodeIds: [100, 101], sourceIds: ["/REGION1/**"], minAggregation: "Hour" },
    });
    expect(out.token).not.toHaveProperty("authSecret");
    const notAfter = Date.parse(out.token.policy.notAfter);
    expect(notAfter - before).toBeGreaterThanOrEqual(30 * 86_400_000 - 1000);
    expect(notAfter - before).toBeLessThan(30 * 86_400_000 + 60_000);
    expect(out.secret).toMatch(/^.{24,31}$/);
    expect(out.warnings[0]).toMatch(/shown only now/);

    const listed = await h.call("list_tokens", {});
    expect(JSON.stringify(listed)).not.toContain(out.secret);
    expect((listed.structuredContent as Json).tokens.map((t: Json) => t.id)).toContain(out.token.id);
  });

  it("reads an absolute expiry in the given time zone", async () => {
    const out = await create({ type: "ReadNodeData", expirationDate: "2099-03-31", timeZone: "Pacific/Auckland" });
    // Up to a second earlier: its milliseconds carry the create's nonce.
    const notAfter = Date.parse(out.token.policy.notAfter);
    expect(notAfter).toBeLessThanOrEqual(Date.parse("2099-03-30T11:00:00.000Z"));
    expect(notAfter).toBeGreaterThan(Date.parse("2099-03-30T10:59:59.000Z"));
  });

  it("names a token like VAST does when no name is given, and warns about a wide User token", async () => {
    const out = await create({ type: "User" });
    expect(out.token.name).toBe("user123_api_token");
    expect(out.warnings.join(" ")).toMatch(/never expires/);
    expect(out.warnings.join(" ")).toMatch(/no apiPaths restriction/);
  });

  it("renders pretty and csv tables with the secret column", async () => {
    const pretty = await h.call("create_token", { type: "ReadNodeData", displayMode: "pretty" });
    const secret = (pretty.structuredContent as Json).secret;
    expect(textOf(pretty)).toMatch(/\| Token ID +\| Token Secret/);
    expect(textOf(pretty)).toContain(secret);
    const csv = await h.call("create_token", { type: "ReadNodeData", displayMode: "csv", nodeIds: [7] });
    expect(textOf(csv).split("\n")[0]).toMatch(/^Token ID,Token Secret,Created/);
  });

  it("keeps the secret when naming the new token fails", async () => {
    h.solarUser.injectFault({ match: { pathEndsWith: "/info" }, kind: "status", status: 500 });
    const out = await create({ type: "ReadNodeData", name: "will fail" });
    expect(out.secret).toBeTruthy();
    expect(out.warnings.join(" ")).toMatch(/setting its name and description failed/);
  });
});

describe("update_token", () => {
  it("merges policy like s10k and keeps the description when only the name changes", async () => {
    const { token } = await create({
      type: "ReadNodeData",
      name: "Reporting",
      description: "Region 1 reports",
      nodeIds: [100, 101],
      sourceIds: ["/REGION1/**"],
    });
    const merged = await h.call("update_token", { tokenId: token.id, nodeIds: [107, 164], sourceIds: ["/REGION2/**"] });
    expect((merged.structuredContent as Json).token.policy.nodeIds).toEqual([100, 101, 107, 164]);
    expect((merged.structuredContent as Json).applied).toEqual(["policy"]);

    const renamed = await h.call("update_token", { tokenId: token.id, name: "Student access" });
    expect((renamed.structuredContent as Json).token).toMatchObject({
      name: "Student access",
      description: expect.stringMatching(/^Region 1 reports \[ai \d{8}T\d{4}Z n[a-z2-7]{5}\]$/),
    });
  });

  it("replaces the policy with replace: true and says so", async () => {
    const { token } = await create({ type: "ReadNodeData", nodeIds: [100, 101], minAggregation: "Hour" });
    const result = await h.call("update_token", { tokenId: token.id, nodeIds: [107], replace: true });
    const out = result.structuredContent as Json;
    expect(out.token.policy).toEqual({ nodeIds: [107] });
    expect(out.warnings[0]).toMatch(/policy was replaced, which removed .*minAggregation "Hour"/);
  });

  it("applies info, policy and status in order and disables the token", async () => {
    const { token } = await create({ type: "ReadNodeData" });
    const result = await h.call("update_token", {
      tokenId: token.id,
      name: "n",
      expiresIn: "1w",
      status: "Disabled",
    });
    const out = result.structuredContent as Json;
    expect(out.applied).toEqual(["info", "policy", "status"]);
    expect(out.token.status).toBe("Disabled");
    const disabled = await h.call("list_tokens", { status: "Disabled" });
    expect((disabled.structuredContent as Json).tokens.map((t: Json) => t.id)).toEqual([token.id]);
  });

  it("reports exactly which parts were applied when a later part fails", async () => {
    const { token } = await create({ type: "ReadNodeData", name: "before" });
    h.solarUser.injectFault({ match: { pathEndsWith: "/status" }, kind: "status", status: 500 });
    const result = await h.call("update_token", {
      tokenId: token.id,
      name: "after",
      nodeIds: [5],
      status: "Disabled",
    });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/Applied: info, policy\. Not applied: status\./);
    const listed = (await h.call("list_tokens", { search: token.id })).structuredContent as Json;
    expect(listed.tokens[0]).toMatchObject({ name: "after", status: "Active", policy: { nodeIds: [5] } });
  });

  it("changes nothing for an unknown token", async () => {
    const result = await h.call("update_token", { tokenId: "AAAAAAAAAAAAAAAAAAAA", name: "x" });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/No token with ID AAAAAAAAAAAAAAAAAAAA/);
  });
});

describe("list_tokens", () => {
  it("filters, searches case-insensitively and pages", async () => {
    for (let i = 0; i < 5; i++) await create({ type: "ReadNodeData", name: `Data ${i}` });
    await create({ type: "User", name: "Admin helper", apiPaths: ["/user/**"] });
    const page = (await h.call("list_tokens", { type: "ReadNodeData", limit: 2, offset: 2 })).structuredContent as Json;
    expect(page).toMatchObject({ total: 5, offset: 2, limit: 2, hasMore: true });
    expect(page.tokens.map((t: Json) => t.name)).toEqual(["Data 2", "Data 3"]);
    const found = (await h.call("list_tokens", { search: "ADMIN" })).structuredContent as Json;
    expect(found.tokens.map((t: Json) => t.name)).toEqual(["Admin helper"]);
    expect(found.warnings).toEqual([]);
  });
});

describe("delete_token", () => {
  it("deletes a token, and refuses an unknown one truthfully", async () => {
    const { token } = await create({ type: "ReadNodeData" });
    const result = await h.call("delete_token", { tokenId: token.id });
    expect(result.structuredContent).toEqual({ deleted: token.id });
    const again = await h.call("delete_token", { tokenId: token.id });
    expect(again.isError).toBe(true);
    expect(textOf(again)).toMatch(/nothing was deleted/);
  });
});

describe("a restricted server credential", () => {
  it("gets an explanation that an unrestricted User token is needed", async () => {
    await h.close();
    h = await startHarness({ admin: { type: "User", userId: 123, policy: { nodeIds: [1] } } });
    const result = await h.call("create_token", { type: "ReadNodeData" });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/unrestricted User token/);
  });

  it("is named in list_tokens, where SolarNetwork shows it only itself", async () => {
    await h.close();
    h = await startHarness({ admin: { type: "User", userId: 123, policy: { nodeIds: [1] } } });
    h.solarUser.seedToken({ type: "ReadNodeData", userId: 123, name: "hidden from a restricted actor" });
    const listed = await h.call("list_tokens", { displayMode: "pretty" });
    expect(listed.isError).toBeFalsy();
    const structured = listed.structuredContent as Json;
    expect(structured.tokens.map((t: Json) => t.id)).toEqual([h.admin.id]);
    expect(structured.warnings).toEqual([expect.stringMatching(/restricted policy, so SolarNetwork lists only that token/)]);
    expect(textOf(listed)).toMatch(/configure an unrestricted User token as SN_TOKEN/);
  });
});
