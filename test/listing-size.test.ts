import { AjvJsonSchemaValidator } from "@modelcontextprotocol/sdk/validation/ajv";
import type { Tool } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { modelVisible } from "../bench/listing.js";
import { AGGREGATIONS } from "../src/backends/solarnetwork/model.js";
import { startHarness, type Harness } from "./support/harness.js";
import { startVastHarness, type VastHarness } from "./support/vast-harness.js";

/**
 * The listing is in the model's context on every turn: it must not grow back. The whole SolarNetwork
 * listing is held to issue #12's target; the parts to their measured sizes (bench/listing.ts's
 * estimator, characters / 4) with a little headroom. Lower them as the listing shrinks, and raise the
 * parts only for a new field or tool that the whole still fits.
 */
const SOLARNETWORK_TARGET_TOKENS = 1_500;
const SOLARNETWORK_CORE_BUDGET_TOKENS = 1_260;
const VAST_CORE_BUDGET_TOKENS = 800;
/** review_tokens, retire_assistant_tokens and rotate_token: the same on both backends. */
const HYGIENE_BUDGET_TOKENS = 260;
const HYGIENE_TOOLS = ["review_tokens", "retire_assistant_tokens", "rotate_token"];
const core = (tools: Tool[]) => tools.filter((tool) => !HYGIENE_TOOLS.includes(tool.name));
const hygiene = (tools: Tool[]) => tools.filter((tool) => HYGIENE_TOOLS.includes(tool.name));

let sn: Harness;
let vast: VastHarness;
let snTools: Tool[];
let vastTools: Tool[];

beforeAll(async () => {
  sn = await startHarness();
  vast = await startVastHarness();
  snTools = (await sn.client.listTools()).tools;
  vastTools = (await vast.client.listTools()).tools;
});
afterAll(async () => {
  await sn?.close();
  await vast?.close();
});

const schemaText = (tool: Tool) => JSON.stringify(tool.inputSchema);

describe("the tool listing a model is given", () => {
  it("stays within its budget of model tokens, for each backend", () => {
    expect(core(snTools)).toHaveLength(4);
    expect(core(vastTools)).toHaveLength(4);
    expect(modelVisible(snTools).tokens).toBeLessThanOrEqual(SOLARNETWORK_TARGET_TOKENS);
    expect(modelVisible(core(snTools)).tokens).toBeLessThanOrEqual(SOLARNETWORK_CORE_BUDGET_TOKENS);
    expect(modelVisible(core(vastTools)).tokens).toBeLessThanOrEqual(VAST_CORE_BUDGET_TOKENS);
    expect(hygiene(snTools)).toHaveLength(3);
    expect(modelVisible(hygiene(snTools)).tokens).toBeLessThanOrEqual(HYGIENE_BUDGET_TOKENS);
    expect(modelVisible(hygiene(vastTools)).tokens).toBeLessThanOrEqual(HYGIENE_BUDGET_TOKENS);
  });

  it("states no ±(2^53 - 1) integer bound", () => {
    for (const tool of [...snTools, ...vastTools]) {
      expect(schemaText(tool), tool.name).not.toContain(String(Number.MAX_SAFE_INTEGER));
      expect(JSON.stringify(tool.outputSchema), tool.name).not.toContain(String(Number.MAX_SAFE_INTEGER));
    }
  });

  it("holds the aggregations once, in create_token; update_token, which refers to it, lists its fields by type", async () => {
    const [create, update] = ["create_token", "update_token"].map((name) => snTools.find((tool) => tool.name === name)!);
    expect(schemaText(create!).split(`"${AGGREGATIONS.at(-1)}"`).length - 1).toBe(1);
    expect(schemaText(update!)).not.toContain(`"${AGGREGATIONS.at(-1)}"`);
    expect(update!.inputSchema.properties!.aggregations).toEqual({ type: "array", items: { type: "string" } });

    const alone = await startHarness({ env: { SN_MCP_EXCLUDE_TOOLS: "create_token,rotate_token" } });
    try {
      const described = (await alone.client.listTools()).tools.find((tool) => tool.name === "update_token")!;
      expect(schemaText(described).split(`"${AGGREGATIONS.at(-1)}"`).length - 1).toBe(1);
      expect(JSON.stringify(described.inputSchema.properties!.minAggregation)).toContain("Finest aggregation");
    } finally {
      await alone.close();
    }
  });

  it("accepts every call the server accepts, to a client that validates against it, and refuses wrong types and values", () => {
    const createToken = snTools.find((tool) => tool.name === "create_token")!;
    const validate = new AjvJsonSchemaValidator().getValidator(createToken.inputSchema);
    const policy = { minLocationPrecision: "PostalCode", sourceIds: ["/REGION1/**"], nodeIds: [100] };
    expect(validate({ type: "ReadNodeData", minAggregation: "Hour", ...policy }).valid).toBe(true);
    expect(validate({ type: "ReadNodeData", aggregations: ["Day", "Month"], ...policy }).valid).toBe(true);
    expect(validate({ type: "ReadNodeData", aggregations: ["Hourly"] }).valid).toBe(false);
    expect(validate({ type: "ReadNodeData", minLocationPrecision: "Planet" }).valid).toBe(false);
    expect(validate({ type: "ReadNodeData", nodeIds: [0] }).valid).toBe(false);
    expect(validate({ type: "ReadNodeData", nodeIds: "100" }).valid).toBe(false);
  });

  it("leaves lengths and patterns to the server, which refuses them naming the field before any request", async () => {
    const schema = schemaText(snTools.find((tool) => tool.name === "create_token")!);
    for (const keyword of ["minItems", "maxItems", "minLength", "maxLength", '"pattern"']) expect(schema).not.toContain(keyword);
    const refusals: [Record<string, unknown>, RegExp][] = [
      [{ nodeIds: [] }, /"nodeIds": must list at least one node ID/],
      [{ sourceIds: ["has space"] }, /"sourceIds.0": patterns must not hold spaces/],
      [{ name: "n".repeat(129) }, /"name": names are at most 128 characters/],
      [{ expiry: "180D" }, /Unknown argument "expiry"/],
    ];
    for (const [args, message] of refusals) {
      sn.mark();
      const result = await sn.call("create_token", { type: "ReadNodeData", ...args });
      expect(result.isError, JSON.stringify(args)).toBe(true);
      expect((result.content as { text: string }[])[0]!.text).toMatch(message);
      expect((result.content as { text: string }[])[0]!.text).toMatch(/Nothing was sent to SolarNetwork/);
      expect(sn.requestsSinceMark()).toBe(0);
    }
  });

  it("leaves the list cap out of the schema, and the server still enforces it", async () => {
    expect(schemaText(snTools.find((tool) => tool.name === "create_token")!)).not.toContain("maxItems");
    const nodeIds = Array.from({ length: 201 }, (_, index) => index + 1);
    const result = await sn.call("create_token", { type: "ReadNodeData", nodeIds });
    expect(result.isError).toBe(true);
    expect((result.content as { text: string }[])[0]!.text).toMatch(/"nodeIds": must list at most 200 node IDs/);
  });
});
