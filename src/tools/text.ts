import type { Token } from "../backends/solarnetwork/model.js";
import { renderTokens } from "../backends/solarnetwork/render.js";
import type { DisplayMode } from "../core/table.js";

/** The text rendering of a tool result: compact JSON by default, else a table followed by notes. */
export function resultText(
  structured: object,
  mode: DisplayMode | undefined,
  tokens: Token[],
  notes: readonly string[],
  secret?: string,
): string {
  if (!mode || mode === "json") return JSON.stringify(structured);
  return [renderTokens(tokens, mode, { secret }), ...notes].join("\n");
}
