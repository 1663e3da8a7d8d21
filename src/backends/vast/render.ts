import { renderCsv, renderTable, type Cell, type DisplayMode, type TableColumn } from "../../core/table.js";
import type { VastToken } from "./tokens.js";

/** VMS tokens as a pretty table or CSV, the columns of `apitoken list`; the secret column only for a new token. */
export function renderVastTokens(tokens: readonly VastToken[], mode: Exclude<DisplayMode, "json">, secret?: string): string {
  const columns: TableColumn[] = [
    { header: "ID", exact: true },
    ...(secret === undefined ? [] : [{ header: "Token", exact: true }]),
    { header: "Name" },
    { header: "Owner" },
    { header: "Created" },
    { header: "Expires" },
    { header: "Last Used" },
    { header: "Status" },
  ];
  const rows = tokens.map((token): Cell[] => [
    token.id,
    ...(secret === undefined ? [] : [secret]),
    token.name ?? "unknown",
    token.owner ?? "unknown",
    token.created,
    token.expires ?? "never",
    token.lastUsed ?? "never",
    token.status,
  ]);
  return mode === "pretty" ? renderTable(columns, rows) : renderCsv(columns, rows);
}
