import { z } from "zod";
import { reviewTokens, SEVERITIES, type Finding } from "../../core/review.js";
import { renderCsv, renderTable, type TableColumn } from "../../core/table.js";
import { displayModeField } from "../fields.js";
import { resultText } from "../text.js";
import { defineTool, shownSummary } from "./tool.js";

const findingSchema = z.object({
  tokenId: z.string().optional(),
  owner: z.string().optional(),
  severity: z.enum(SEVERITIES),
  rule: z.string(),
  message: z.string(),
  fix: z.object({ tool: z.string(), arguments: z.record(z.string(), z.unknown()) }).optional().describe("The call that fixes it"),
});

export const reviewTokensTool = defineTool({
  name: "review_tokens",
  title: "Review tokens for risks",
  description:
    "Find risky tokens (expiry, scope, refresh, disuse, cap, this server's own), worst first, with fixing calls.",
  input: z.strictObject({
    withinDays: z.number().int().min(1).max(365).default(14).describe("Flag expiry within this many days"),
    displayMode: displayModeField,
  }),
  output: z.object({
    findings: z.array(findingSchema),
    reviewed: z.number().int().describe("Tokens looked at"),
    summary: z.string(),
  }),
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true },
  async run(input, { backend, signal, now, guardrails, ownTokenId, progress }) {
    const tokens = (await backend.inventory.summaries(signal)).map(shownSummary);
    progress(1, 3, `Read ${tokens.length} token${tokens.length === 1 ? "" : "s"} from ${backend.name}`);
    const maxTokensPerOwner = await backend.inventory.maxTokensPerOwner?.(signal);
    progress(2, 3, "Checking them");
    const findings = reviewTokens(tokens, {
      now: now(),
      maxLifetimeMs: guardrails.maxLifetimeMs,
      withinDays: input.withinDays,
      ownTokenId,
      capabilities: backend.capabilities,
      maxTokensPerOwner,
      backend: backend.name,
    });
    const counts = SEVERITIES.map((severity) => [severity, findings.filter((f) => f.severity === severity).length] as const).filter(([, n]) => n > 0);
    const summary =
      findings.length === 0
        ? `Reviewed ${tokens.length} tokens: nothing to report.`
        : `Reviewed ${tokens.length} tokens: ${counts.map(([severity, n]) => `${n} ${severity}`).join(", ")}.`;
    progress(3, 3, summary);
    const structured = { findings, reviewed: tokens.length, summary };
    const text = resultText(structured, input.displayMode, (mode) => renderFindings(findings, mode), [summary]);
    return { structured, text };
  },
});

const COLUMNS: TableColumn[] = [{ header: "Severity" }, { header: "Rule" }, { header: "Token", exact: true }, { header: "Finding" }, { header: "Fix" }];

function renderFindings(findings: readonly Finding[], mode: "pretty" | "csv"): string {
  const rows = findings.map((finding) => [
    finding.severity,
    finding.rule,
    finding.tokenId ?? finding.owner,
    finding.message,
    finding.fix && `${finding.fix.tool} ${JSON.stringify(finding.fix.arguments)}`,
  ]);
  return mode === "pretty" ? renderTable(COLUMNS, rows) : renderCsv(COLUMNS, rows);
}
