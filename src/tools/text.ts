import type { Token } from "../tokens/model.js";
import { renderTokens, type DisplayMode } from "../tokens/render.js";

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
