import { prettyJson, renderCsv, renderTable, type Cell, type DisplayMode, type TableColumn } from "../../core/table.js";
import type { Token } from "./model.js";

/** SolarNetwork tokens in the three display modes, as s10k shows them (the table and CSV rules are in core/table.ts). */

function tokenColumns(withSecret: boolean): TableColumn[] {
  return [
    { header: "Token ID", exact: true },
    ...(withSecret ? [{ header: "Token Secret", exact: true }] : []),
    { header: "Created" },
    { header: "User ID", align: "right" },
    { header: "Type" },
    { header: "Status" },
    { header: "Name" },
    { header: "Description" },
    { header: "Policy" },
  ];
}

function tokenRow(token: Token, secret: string | undefined, policyIndent: string): Cell[] {
  const policy = token.policy === undefined ? undefined : prettyJson(token.policy, policyIndent);
  return [
    token.id,
    ...(secret === undefined ? [] : [secret]),
    token.created,
    token.userId,
    token.type,
    token.status,
    token.name,
    token.description,
    policy,
  ];
}

/**
 * `tokens` as text in the given display mode. `extra.secret`, the secret of a token just created, adds a
 * Token Secret column to the tables (as s10k's create output) and an `authSecret` member after each token's `id`
 * in JSON (as s10k's JSON); give it only with the one new token.
 *
 * In CSV the policy cell is pretty JSON without indentation, exactly as s10k's documented CSV output shows it.
 */
export function renderTokens(tokens: readonly Token[], mode: DisplayMode, extra?: { secret?: string }): string {
  const secret = extra?.secret;
  switch (mode) {
    case "json":
      return JSON.stringify(
        secret === undefined ? tokens : tokens.map(({ id, ...rest }) => ({ id, authSecret: secret, ...rest })),
      );
    case "pretty":
      return renderTable(
        tokenColumns(secret !== undefined),
        tokens.map((token) => tokenRow(token, secret, "  ")),
      );
    case "csv":
      return renderCsv(
        tokenColumns(secret !== undefined),
        tokens.map((token) => tokenRow(token, secret, "")),
      );
  }
}
