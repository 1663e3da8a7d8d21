import type { DisplayMode } from "../core/table.js";

/** The text rendering of a tool result: compact JSON by default, else a table (rendered only then) followed by notes. */
export function resultText(
  structured: object,
  mode: DisplayMode | undefined,
  table: (mode: Exclude<DisplayMode, "json">) => string,
  notes: readonly string[],
): string {
  if (!mode || mode === "json") return JSON.stringify(structured);
  return [table(mode), ...notes].join("\n");
}
