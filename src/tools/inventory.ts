import { ConfigError } from "../config-error.js";
import type { z } from "zod";
import type { Tool } from "./tool.js";

export interface ToolSelection {
  readOnly: boolean;
  tools?: readonly string[];
  excludeTools: readonly string[];
}

/**
 * The one place that decides which tools exist. Precedence: read-only beats exclude beats include.
 * An unknown name is a configuration error, so a typo never silently exposes or hides a tool.
 */
export function selectTools<T extends Pick<Tool, "name" | "annotations" | "actsThrough" | "withoutCreate" | "description" | "input">>(all: readonly T[], selection: ToolSelection): T[] {
  const known = new Set(all.map((tool) => tool.name));
  for (const [variable, names] of [
    ["SN_MCP_TOOLS", selection.tools ?? []],
    ["SN_MCP_EXCLUDE_TOOLS", selection.excludeTools],
  ] as const) {
    const unknown = names.filter((name) => !known.has(name));
    if (unknown.length > 0) {
      throw new ConfigError(variable, `unknown tool ${unknown.join(", ")}; known tools: ${[...known].join(", ")}`);
    }
  }
  const chosen = all.filter(
    (tool) =>
      (!selection.readOnly || tool.annotations.readOnlyHint) &&
      !selection.excludeTools.includes(tool.name) &&
      (selection.tools === undefined || selection.tools.includes(tool.name)),
  );
  const names = new Set(chosen.map((tool) => tool.name));
  const without = (tool: T) => (tool.actsThrough ?? []).filter((name) => !names.has(name));
  for (const tool of chosen) {
    const missing = without(tool);
    if (missing.length > 0 && selection.tools?.includes(tool.name)) {
      const excluded = missing.filter((name) => selection.excludeTools.includes(name));
      const fix = excluded.length > 0 ? `SN_MCP_EXCLUDE_TOOLS leaves out ${excluded.join(" and ")}` : `list ${missing.length > 1 ? "them" : "it"} too`;
      throw new ConfigError("SN_MCP_TOOLS", `${tool.name} acts as ${missing.join(" and ")} does, which is not selected (${fix}), so leave ${tool.name} out or select what it acts through`);
    }
  }
  // Left out with what they act through when the operator did not name them.
  const selected = chosen.filter((tool) => without(tool).length === 0);
  const create = all.find((tool) => tool.name === "create_token");
  if (!create || names.has("create_token")) return selected;
  return selected.map((tool) => (tool.withoutCreate ? { ...tool, description: tool.withoutCreate.description, input: describedFrom(tool.input, create.input) } : tool));
}

/** `input` with each undescribed field given the description of `source`'s field of that name. */
function describedFrom(input: z.ZodObject, source: z.ZodObject): z.ZodObject {
  const shape = Object.fromEntries(
    Object.entries(input.shape).map(([key, field]) => {
      const description = (source.shape[key] as z.ZodType | undefined)?.description;
      return [key, field.description === undefined && description !== undefined ? field.describe(description) : field];
    }),
  );
  return input.extend(shape);
}
