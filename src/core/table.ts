/**
 * Text renderings for a tool result's text content, in s10k's three display modes. The structured
 * JSON of a result is built elsewhere; this is only what a person (or model) reads.
 *
 * - `json`: the token array as compact JSON (no whitespace: a list result can hold 500 tokens).
 * - `pretty`: an aligned box table as s10k's PRETTY (`+---+` borders, `|` separators, the policy as multi-line
 *   pretty JSON inside its cell, a border line between rows).
 * - `csv`: a header row and one record per token as s10k's CSV (RFC 4180 quoting, the policy as a pretty-JSON
 *   cell), records separated by `\n`, with a guard against spreadsheet formula injection (see {@link renderCsv}).
 */

export type DisplayMode = "json" | "pretty" | "csv";

export interface TableColumn {
  header: string;
  /** Alignment of data cells in the pretty table (headers are always left-aligned, as s10k's). Default left. */
  align?: "left" | "right";
  /**
   * The CSV formula guard leaves this column's cells exactly as they are. Only for values that are
   * server-generated identifiers or credentials (token ID, secret): they hold no parentheses or spaces, so
   * cannot carry a formula, and a `'` added in front would break them when copied.
   */
  exact?: boolean;
}

export type Cell = string | number | boolean | null | undefined;

// ---------------------------------------------------------------------------------------------------------------
// Pretty JSON, as Jackson's DefaultPrettyPrinter writes it (s10k's policy cell)

/**
 * `value` as Jackson's default pretty printer writes it: `"key" : value`, one object member per line indented by
 * `indent` per level, arrays on one line as `[ 1, 2 ]`, empty containers as `{ }` and `[ ]`.
 */
export function prettyJson(value: unknown, indent = "  "): string {
  return pretty(value, indent, 0);
}

function pretty(value: unknown, indent: string, depth: number): string {
  if (value !== null && typeof value === "object" && typeof (value as { toJSON?: unknown }).toJSON === "function") {
    value = (value as { toJSON: () => unknown }).toJSON();
  }
  if (Array.isArray(value)) {
    if (value.length === 0) return "[ ]";
    // Jackson's inline array indenter does not deepen the nesting: an object inside an array is indented as its array
    return `[ ${value.map((item) => (item === undefined ? "null" : pretty(item, indent, depth))).join(", ")} ]`;
  }
  if (value !== null && typeof value === "object") {
    const members = Object.entries(value).filter(([, member]) => member !== undefined && typeof member !== "function");
    if (members.length === 0) return "{ }";
    const inner = indent.repeat(depth + 1);
    const lines = members.map(([key, member]) => `${inner}${JSON.stringify(key)} : ${pretty(member, indent, depth + 1)}`);
    return `{\n${lines.join(",\n")}\n${indent.repeat(depth)}}`;
  }
  return JSON.stringify(value) ?? "null";
}

// ---------------------------------------------------------------------------------------------------------------
// Pretty (box) table

/**
 * Characters that would break a table's layout or hide text: control characters (C0, DEL, C1), invisible format
 * characters (bidirectional overrides, zero-width spaces, the BOM, Unicode tag characters), line and paragraph
 * separators and lone surrogates. Zero-width (non-)joiners stay: emoji sequences and several scripts need them.
 */
const UNSAFE_IN_CELL = /(?![\u200C\u200D])[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/gu;

const NAMED_ESCAPES: Readonly<Record<string, string>> = { "\t": "\\t", "\r": "\\r" };

/** One cell's text as display lines: split on line breaks, every unsafe character shown as a visible escape. */
/** The widest a table cell's line may be: every row is padded to the widest cell, so one long value would bloat all. */
export const MAX_CELL_WIDTH = 120;
/** The most text a table may take; the rows after it are left out and counted. */
export const MAX_TABLE_CHARACTERS = 256 * 1024;

function cellLines(cell: Cell): string[] {
  const text = cell === null || cell === undefined ? "" : String(cell);
  return text
    .replace(/\r\n/g, "\n")
    .split("\n")
    .map((line) =>
      clip(
        line.replace(UNSAFE_IN_CELL, (ch) => {
          const named = NAMED_ESCAPES[ch];
          if (named) return named;
          const code = ch.codePointAt(0) ?? 0;
          return code > 0xffff ? `\\u{${code.toString(16)}}` : `\\u${code.toString(16).padStart(4, "0")}`;
        }),
      ),
    );
}

function clip(line: string): string {
  if (line.length <= MAX_CELL_WIDTH / 2 || displayWidth(line) <= MAX_CELL_WIDTH) return line;
  let kept = "";
  for (const char of line) {
    if (displayWidth(kept + char) > MAX_CELL_WIDTH - 1) break;
    kept += char;
  }
  return `${kept}…`;
}

/** East Asian Wide and Fullwidth ranges (the ones a terminal draws two columns wide), outside emoji. */
const WIDE_RANGES: readonly (readonly [number, number])[] = [
  [0x1100, 0x115f], [0x2329, 0x232a], [0x2e80, 0x303e], [0x3041, 0x33ff], [0x3400, 0x4dbf], [0x4e00, 0x9fff],
  [0xa000, 0xa4cf], [0xa960, 0xa97f], [0xac00, 0xd7a3], [0xf900, 0xfaff], [0xfe10, 0xfe19], [0xfe30, 0xfe6f],
  [0xff00, 0xff60], [0xffe0, 0xffe6], [0x16fe0, 0x16fe4], [0x17000, 0x18cff], [0x1b000, 0x1b2ff],
  [0x1f200, 0x1f2ff], [0x20000, 0x2fffd], [0x30000, 0x3fffd],
];

/** Made on first use: creating one costs about 13 ms that start-up need not pay. */
let segmenter: Intl.Segmenter | undefined;

function graphemeWidth(grapheme: string): number {
  if (/\p{Emoji_Presentation}/u.test(grapheme) || (grapheme.includes("\uFE0F") && /\p{Extended_Pictographic}/u.test(grapheme))) {
    return 2;
  }
  const code = grapheme.codePointAt(0) ?? 0;
  if (WIDE_RANGES.some(([from, to]) => code >= from && code <= to)) return 2;
  if (/^[\p{Mn}\p{Me}\u200C\u200D]+$/u.test(grapheme)) return 0;
  return 1;
}

/** The number of terminal columns `text` (already free of control characters) takes: wide characters count 2. */
export function displayWidth(text: string): number {
  if (/^[\x20-\x7e]*$/.test(text)) return text.length;
  let width = 0;
  segmenter ??= new Intl.Segmenter("en", { granularity: "grapheme" });
  for (const { segment } of segmenter.segment(text)) width += graphemeWidth(segment);
  return width;
}

/**
 * An aligned box table as s10k's PRETTY display mode draws it: a border line above and below the header and
 * between rows, each cell padded by one space, multi-line cells (such as pretty JSON) spread over several lines.
 * Cells are shown safely: control and invisible characters become visible escapes such as `\t` or `\u001b`, and
 * wide characters count two columns, so the borders stay aligned.
 */
export function renderTable(columns: readonly TableColumn[], rows: readonly (readonly Cell[])[]): string {
  const header = columns.map((column) => cellLines(column.header));
  const body = rows.map((row) => columns.map((_, index) => cellLines(row[index])));
  const widths = columns.map((_, index) =>
    Math.max(...[header, ...body].flatMap((row) => (row[index] ?? []).map(displayWidth))),
  );
  const border = `+${widths.map((width) => "-".repeat(width + 2)).join("+")}+`;

  const lines = (row: string[][], aligned: boolean): string[] => {
    const height = Math.max(1, ...row.map((cell) => cell.length));
    const out: string[] = [];
    for (let line = 0; line < height; line++) {
      const cells = row.map((cell, index) => {
        const text = cell[line] ?? "";
        const pad = " ".repeat((widths[index] ?? 0) - displayWidth(text));
        return aligned && columns[index]?.align === "right" ? ` ${pad}${text} ` : ` ${text}${pad} `;
      });
      out.push(`|${cells.join("|")}|`);
    }
    return out;
  };

  const out = [border, ...lines(header, false), border];
  let size = out.join("\n").length;
  for (const [index, row] of body.entries()) {
    const rowLines = [...lines(row, true), border];
    const rowSize = rowLines.join("\n").length + 1;
    if (size + rowSize > MAX_TABLE_CHARACTERS) {
      out.push(`(${body.length - index} more rows not shown: the table is too large; page with limit and offset, or use displayMode json)`);
      break;
    }
    out.push(...rowLines);
    size += rowSize;
  }
  return out.join("\n");
}

// ---------------------------------------------------------------------------------------------------------------
// CSV

/** A plain number, which no spreadsheet reads as a formula even when it starts with `-` or `+`. */
const PLAIN_NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
/** What spreadsheet programs take as the start of a formula (OWASP's "CSV injection" list). */
const FORMULA_START = /^[=+\-@\t\r]/;

function csvField(cell: Cell, exact: boolean): string {
  let text = cell === null || cell === undefined ? "" : String(cell);
  if (!exact && FORMULA_START.test(text) && !PLAIN_NUMBER.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * CSV as s10k writes it: a header record, then one record per row; a field is quoted (`"`, with inner quotes
 * doubled) only when it holds a comma, a quote or a line break, as RFC 4180 allows. Records are separated by `\n`
 * (the text goes to a reader, not a file; s10k's documentation shows `\n`), and there is no trailing line break.
 *
 * Formula-injection guard: a field that starts with `=`, `+`, `-`, `@`, a tab or a carriage return, and is not a
 * plain number such as `-12.5`, gets a `'` in front, so that a spreadsheet shows it as text instead of running it.
 * A reader of the raw CSV sees that `'`: strip one leading `'` from such fields to get the stored value back.
 * Columns marked {@link TableColumn.exact} are never changed.
 */
export function renderCsv(columns: readonly TableColumn[], rows: readonly (readonly Cell[])[]): string {
  const records = [
    columns.map((column) => csvField(column.header, false)).join(","),
    ...rows.map((row) => columns.map((column, index) => csvField(row[index], column.exact === true)).join(",")),
  ];
  return records.join("\n");
}

