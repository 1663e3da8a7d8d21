import { describe, expect, it } from "vitest";
import type { Token } from "../src/backends/solarnetwork/model.js";
import { displayWidth, prettyJson, renderCsv, renderTable } from "../src/core/table.js";
import { renderTokens } from "../src/backends/solarnetwork/render.js";

/** The s10k documentation's examples (seeds 000 and 002), as the tools return them. */
const studentAccess: Token = {
  id: "hNAdH.aXHaEqFossMwT8",
  created: "2025-09-29T03:52:43.281061Z",
  userId: 123,
  name: "Student access",
  description: "Allow access to school system data.",
  status: "Active",
  type: "ReadNodeData",
  expired: false,
};

const region1 = (policy: Token["policy"]): Token => ({
  id: "kF67p6g30eUXQICUgzQf",
  created: "2025-09-29T04:23:20.302917Z",
  userId: 123,
  name: "Reporting: region 1",
  description: "Allow access to region 1 for reporting team.",
  status: "Active",
  type: "User",
  expired: false,
  policy,
});

const lines = (...text: string[]) => text.join("\n");

/** Each line's width in terminal columns; an aligned table has one width. */
const lineWidths = (table: string) => new Set(table.split("\n").map(displayWidth));

describe("renderTokens pretty: s10k's PRETTY tables (seed 002, sec-tokens update)", () => {
  it("reproduces the name and description example", () => {
    expect(renderTokens([studentAccess], "pretty")).toBe(
      lines(
        "+----------------------+-----------------------------+---------+--------------+--------+----------------+-------------------------------------+--------+",
        "| Token ID             | Created                     | User ID | Type         | Status | Name           | Description                         | Policy |",
        "+----------------------+-----------------------------+---------+--------------+--------+----------------+-------------------------------------+--------+",
        "| hNAdH.aXHaEqFossMwT8 | 2025-09-29T03:52:43.281061Z |     123 | ReadNodeData | Active | Student access | Allow access to school system data. |        |",
        "+----------------------+-----------------------------+---------+--------------+--------+----------------+-------------------------------------+--------+",
      ),
    );
  });

  it("reproduces the merged policy example, the policy as multi-line pretty JSON in its cell", () => {
    const token = region1({
      nodeIds: [100, 101, 107, 164],
      sourceIds: ["/REGION1/**", "/REGION2/**"],
      minAggregation: "Hour",
      refreshAllowed: true,
    });
    expect(renderTokens([token], "pretty")).toBe(
      lines(
        "+----------------------+-----------------------------+---------+------+--------+---------------------+----------------------------------------------+---------------------------------------------------+",
        "| Token ID             | Created                     | User ID | Type | Status | Name                | Description                                  | Policy                                            |",
        "+----------------------+-----------------------------+---------+------+--------+---------------------+----------------------------------------------+---------------------------------------------------+",
        '| kF67p6g30eUXQICUgzQf | 2025-09-29T04:23:20.302917Z |     123 | User | Active | Reporting: region 1 | Allow access to region 1 for reporting team. | {                                                 |',
        '|                      |                             |         |      |        |                     |                                              |   "nodeIds" : [ 100, 101, 107, 164 ],             |',
        '|                      |                             |         |      |        |                     |                                              |   "sourceIds" : [ "/REGION1/**", "/REGION2/**" ], |',
        '|                      |                             |         |      |        |                     |                                              |   "minAggregation" : "Hour",                      |',
        '|                      |                             |         |      |        |                     |                                              |   "refreshAllowed" : true                         |',
        "|                      |                             |         |      |        |                     |                                              | }                                                 |",
        "+----------------------+-----------------------------+---------+------+--------+---------------------+----------------------------------------------+---------------------------------------------------+",
      ),
    );
  });

  it("reproduces the replaced policy example", () => {
    const token = region1({ nodeIds: [107, 164], sourceIds: ["/REGION2/**"] });
    expect(renderTokens([token], "pretty")).toBe(
      lines(
        "+----------------------+-----------------------------+---------+------+--------+---------------------+----------------------------------------------+-----------------------------------+",
        "| Token ID             | Created                     | User ID | Type | Status | Name                | Description                                  | Policy                            |",
        "+----------------------+-----------------------------+---------+------+--------+---------------------+----------------------------------------------+-----------------------------------+",
        "| kF67p6g30eUXQICUgzQf | 2025-09-29T04:23:20.302917Z |     123 | User | Active | Reporting: region 1 | Allow access to region 1 for reporting team. | {                                 |",
        '|                      |                             |         |      |        |                     |                                              |   "nodeIds" : [ 107, 164 ],       |',
        '|                      |                             |         |      |        |                     |                                              |   "sourceIds" : [ "/REGION2/**" ] |',
        "|                      |                             |         |      |        |                     |                                              | }                                 |",
        "+----------------------+-----------------------------+---------+------+--------+---------------------+----------------------------------------------+-----------------------------------+",
      ),
    );
  });
});

/** `table` without its `index`-th column and with runs of spaces collapsed, as seed 000's copy shows tables. */
function withoutColumn(table: string, index: number): string {
  return table
    .split("\n")
    .map((line) => {
      const separator = line.startsWith("+") ? "+" : "|";
      const parts = line.split(separator);
      parts.splice(index + 1, 1);
      return parts.join(separator).replace(/ {2,}/g, " ");
    })
    .join("\n");
}

describe("renderTokens with a secret: s10k's create output (seed 000), modulo its missing Status column", () => {
  const created: Token = {
    ...region1({ nodeIds: [100, 101], sourceIds: ["/REGION1/**"], minAggregation: "Hour", refreshAllowed: true }),
    created: "2025-09-29T04:23:20.302916611Z",
  };
  const secret = "PDX3VpOKmrc58HOOqUOv3HTmv0";

  it("adds a Token Secret column to the pretty table", () => {
    const table = renderTokens([created], "pretty", { secret });
    // Seed 000's copy lost the padding inside rows but kept the border lines, so compare those exactly and the
    // rows with runs of spaces collapsed. Column 5 (0-based) is Status, which s10k's create output lacks.
    expect(withoutColumn(table, 5)).toBe(
      lines(
        "+----------------------+----------------------------+--------------------------------+---------+------+---------------------+----------------------------------------------+------------------------------------+",
        "| Token ID | Token Secret | Created | User ID | Type | Name | Description | Policy |",
        "+----------------------+----------------------------+--------------------------------+---------+------+---------------------+----------------------------------------------+------------------------------------+",
        "| kF67p6g30eUXQICUgzQf | PDX3VpOKmrc58HOOqUOv3HTmv0 | 2025-09-29T04:23:20.302916611Z | 123 | User | Reporting: region 1 | Allow access to region 1 for reporting team. | { |",
        '| | | | | | | | "nodeIds" : [ 100, 101 ], |',
        '| | | | | | | | "sourceIds" : [ "/REGION1/**" ], |',
        '| | | | | | | | "minAggregation" : "Hour", |',
        '| | | | | | | | "refreshAllowed" : true |',
        "| | | | | | | | } |",
        "+----------------------+----------------------------+--------------------------------+---------+------+---------------------+----------------------------------------------+------------------------------------+",
      ),
    );
    expect(table.split("\n")[1]).toBe(
      "| Token ID             | Token Secret               | Created                        | User ID | Type | Status | Name                | Description                                  | Policy                             |",
    );
  });

  it("adds a Token Secret column to the CSV", () => {
    const seed = lines(
      "Token ID,Token Secret,Created,User ID,Type,Name,Description,Policy",
      'kF67p6g30eUXQICUgzQf,PDX3VpOKmrc58HOOqUOv3HTmv0,2025-09-29T04:23:20.302916611Z,123,User,Reporting: region 1,Allow access to region 1 for reporting team.,"{',
      '""nodeIds"" : [ 100, 101 ],',
      '""sourceIds"" : [ ""/REGION1/**"" ],',
      '""minAggregation"" : ""Hour"",',
      '""refreshAllowed"" : true',
      '}"',
    );
    const withStatus = seed.replace("Type,Name", "Type,Status,Name").replace(",User,Reporting", ",User,Active,Reporting");
    expect(renderTokens([created], "csv", { secret })).toBe(withStatus);
  });

  it("adds authSecret after id in JSON, as s10k's JSON output", () => {
    const json = renderTokens([studentAccess], "json", { secret });
    expect(Object.keys(JSON.parse(json)[0]).slice(0, 3)).toEqual(["id", "authSecret", "created"]);
    expect(JSON.parse(json)[0].authSecret).toBe(secret);
  });

  it("never shows a secret column without a secret", () => {
    expect(renderTokens([created], "pretty")).not.toContain("Token Secret");
    expect(renderTokens([created], "csv")).not.toContain("Token Secret");
    expect(renderTokens([created], "json")).not.toContain("authSecret");
  });
});

describe("renderTokens csv: s10k's CSV (seed 002)", () => {
  it("reproduces the name and description example, an absent policy as an empty field", () => {
    expect(renderTokens([studentAccess], "csv")).toBe(
      lines(
        "Token ID,Created,User ID,Type,Status,Name,Description,Policy",
        "hNAdH.aXHaEqFossMwT8,2025-09-29T03:52:43.281061Z,123,ReadNodeData,Active,Student access,Allow access to school system data.,",
      ),
    );
  });

  it("reproduces the merged policy example, the policy a quoted pretty-JSON field", () => {
    // the seed's CSV lists the merged sourceIds in the other order than its table does; the renderer keeps the order
    const token = region1({
      nodeIds: [100, 101, 107, 164],
      sourceIds: ["/REGION2/**", "/REGION1/**"],
      minAggregation: "Hour",
      refreshAllowed: true,
    });
    expect(renderTokens([token], "csv")).toBe(
      lines(
        "Token ID,Created,User ID,Type,Status,Name,Description,Policy",
        'kF67p6g30eUXQICUgzQf,2025-09-29T04:23:20.302917Z,123,User,Active,Reporting: region 1,Allow access to region 1 for reporting team.,"{',
        '""nodeIds"" : [ 100, 101, 107, 164 ],',
        '""sourceIds"" : [ ""/REGION2/**"", ""/REGION1/**"" ],',
        '""minAggregation"" : ""Hour"",',
        '""refreshAllowed"" : true',
        '}"',
      ),
    );
  });

  it("reproduces the replaced policy example", () => {
    const token = region1({ nodeIds: [107, 164], sourceIds: ["/REGION2/**"] });
    expect(renderTokens([token], "csv")).toBe(
      lines(
        "Token ID,Created,User ID,Type,Status,Name,Description,Policy",
        'kF67p6g30eUXQICUgzQf,2025-09-29T04:23:20.302917Z,123,User,Active,Reporting: region 1,Allow access to region 1 for reporting team.,"{',
        '""nodeIds"" : [ 107, 164 ],',
        '""sourceIds"" : [ ""/REGION2/**"" ]',
        '}"',
      ),
    );
  });

  it("writes one record per token", () => {
    const csv = renderTokens([studentAccess, { ...studentAccess, id: "AAAAAAAAAAAAAAAAAAAA", status: "Disabled" }], "csv");
    expect(csv.split("\n")).toHaveLength(3);
    expect(csv.split("\n")[2]).toMatch(/^AAAAAAAAAAAAAAAAAAAA,.*,Disabled,/);
  });

  it("quotes fields holding commas, quotes or line breaks (RFC 4180), and only those", () => {
    const token: Token = {
      ...studentAccess,
      name: 'Say "hi", then\nleave',
      description: "carriage\r\nreturn",
    };
    const record = renderTokens([token], "csv").split("\n").slice(1).join("\n");
    expect(record).toBe(
      'hNAdH.aXHaEqFossMwT8,2025-09-29T03:52:43.281061Z,123,ReadNodeData,Active,"Say ""hi"", then\nleave","carriage\r\nreturn",',
    );
  });
});

describe("CSV formula-injection guard", () => {
  const named = (name: string, description?: string): string => {
    const record = renderTokens([{ ...studentAccess, name, description }], "csv").split("\n")[1] ?? "";
    return record;
  };

  it.each([
    ["=HYPERLINK(\"http://x\",\"y\")", `"'=HYPERLINK(""http://x"",""y"")"`],
    ["+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"],
    ["-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"],
    ["@SUM(1+1)", "'@SUM(1+1)"],
    ["\t=1+1", "'\t=1+1"],
    ["\r=1+1", `"'\r=1+1"`],
  ])("puts a ' before %j", (name, field) => {
    expect(named(name)).toContain(`,Active,${field},`);
  });

  it("guards descriptions too", () => {
    expect(named("ok", "=1+1")).toContain(",ok,'=1+1,");
  });

  it("leaves other text alone, including a formula character later in the text", () => {
    expect(named("a=1+1", "x-y")).toContain(",a=1+1,x-y,");
    expect(named(" =1+1")).toContain(", =1+1,");
  });

  it("leaves plain numbers alone, negative ones included", () => {
    const columns = [{ header: "n" }, { header: "text" }];
    expect(renderCsv(columns, [[-12, "-12.5"], ["+3", "-1e6"], ["-", "-x"]])).toBe(
      lines("n,text", "-12,-12.5", "+3,-1e6", "'-,'-x"),
    );
  });

  it("never changes a token ID or secret, which must stay exact to be copied", () => {
    const csv = renderTokens([{ ...studentAccess, id: "-AbCdEfGhIjKlMnOpQrS" }], "csv", { secret: "=Secret-Value_123456" });
    expect(csv.split("\n")[1]).toMatch(/^-AbCdEfGhIjKlMnOpQrS,=Secret-Value_123456,/);
  });

  it("does not apply to the pretty table or JSON", () => {
    expect(renderTokens([{ ...studentAccess, name: "=1+1" }], "pretty")).toContain("| =1+1 ");
    expect(renderTokens([{ ...studentAccess, name: "=1+1" }], "json")).toContain('"name":"=1+1"');
  });
});

describe("renderTokens json", () => {
  const tokens = [studentAccess, region1({ nodeIds: [107, 164], sourceIds: ["/REGION2/**"], notAfter: "2026-03-30T11:00:00.000Z" })];

  it("is the token array as compact JSON", () => {
    const json = renderTokens(tokens, "json");
    expect(json).toBe(JSON.stringify(tokens));
    expect(JSON.parse(json)).toEqual(tokens);
    expect(json).not.toMatch(/\n|": |, "/);
  });

  it("stays compact for a 500-token list", () => {
    const many = Array.from({ length: 500 }, (_, i) => ({ ...tokens[1]!, id: `T${String(i).padStart(19, "0")}` }));
    const json = renderTokens(many, "json");
    expect(json.length).toBe(JSON.stringify(many).length);
    expect(json.length / 500).toBeLessThan(400);
  });

  it("renders an empty list", () => {
    expect(renderTokens([], "json")).toBe("[]");
  });
});

describe("renderTokens pretty, hard cases", () => {
  it("draws a border line between rows", () => {
    const table = renderTokens([studentAccess, { ...studentAccess, status: "Disabled" }], "pretty").split("\n");
    expect(table).toHaveLength(7);
    expect(table.filter((line) => line.startsWith("+"))).toHaveLength(4);
    expect(table[5]).toContain("| Disabled |");
  });

  it("shows only the header of an empty list", () => {
    expect(renderTokens([], "pretty")).toBe(
      lines(
        "+----------+---------+---------+------+--------+------+-------------+--------+",
        "| Token ID | Created | User ID | Type | Status | Name | Description | Policy |",
        "+----------+---------+---------+------+--------+------+-------------+--------+",
      ),
    );
    expect(renderTokens([], "csv")).toBe("Token ID,Created,User ID,Type,Status,Name,Description,Policy");
  });

  it("spreads a multi-line name over lines and keeps every column aligned", () => {
    const table = renderTokens(
      [region1({ nodeIds: [1] }), { ...studentAccess, name: "line one\nline two, longer\r\nthree", description: 'say "x"' }],
      "pretty",
    );
    const rows = table.split("\n");
    expect(lineWidths(table).size).toBe(1);
    expect(rows).toContain(
      "| hNAdH.aXHaEqFossMwT8 | 2025-09-29T03:52:43.281061Z |     123 | ReadNodeData | Active | line one            | say \"x\"                                      |                     |",
    );
    expect(rows).toContain(
      "|                      |                             |         |              |        | line two, longer    |                                              |                     |",
    );
    // every | of every row sits in the same column as the + of the borders
    const border = rows[0] ?? "";
    const joints = [...border].flatMap((ch, i) => (ch === "+" ? [i] : []));
    for (const row of rows.filter((line) => line.startsWith("|"))) {
      expect([...row].flatMap((ch, i) => (ch === "|" ? [i] : []))).toEqual(joints);
    }
  });

  it("counts wide characters two columns, combining marks none", () => {
    expect(displayWidth("abc")).toBe(3);
    expect(displayWidth("東京")).toBe(4);
    expect(displayWidth("ｆｕｌｌ")).toBe(8);
    expect(displayWidth("한국")).toBe(4);
    expect(displayWidth("👍🏽")).toBe(2);
    expect(displayWidth("👩‍👩‍👧")).toBe(2);
    expect(displayWidth("🇳🇿")).toBe(2);
    expect(displayWidth("e\u0301")).toBe(1);
    expect(displayWidth("café")).toBe(4);
  });

  it("keeps a table with wide characters aligned; headers are left-aligned, as s10k's", () => {
    const table = renderTable(
      [{ header: "Name" }, { header: "N", align: "right" }],
      [
        ["東京 office", 1],
        ["Cafe\u0301 👍🏽", 22],
        ["plain", 333],
      ],
    );
    expect(table).toBe(
      lines(
        "+-------------+-----+",
        "| Name        | N   |",
        "+-------------+-----+",
        "| 東京 office |   1 |",
        "+-------------+-----+",
        "| Cafe\u0301 👍🏽     |  22 |",
        "+-------------+-----+",
        "| plain       | 333 |",
        "+-------------+-----+",
      ),
    );
  });

  it("shows control and invisible characters as visible escapes, never raw", () => {
    const name = "tab\there\u001b[31mred\u007f\u0085 \u202Eevil\u200B\u2028x\uFEFF\u{E0041}";
    const table = renderTokens([{ ...studentAccess, name, description: "bell\u0007\rcr" }], "pretty");
    for (const line of table.split("\n")) expect(line).not.toMatch(/[\p{Cc}\p{Cf}\u2028]/u);
    expect(table).toContain(
      "tab\\there\\u001b[31mred\\u007f\\u0085 \\u202eevil\\u200b\\u2028x\\ufeff\\u{e0041}",
    );
    expect(table).toContain("bell\\u0007\\rcr");
    expect(lineWidths(table).size).toBe(1);
  });

  it("keeps the joiners emoji and scripts need", () => {
    const table = renderTable([{ header: "x" }], [["👩‍👩‍👧"], ["می‌خواهم"]]);
    expect(table).toContain("👩‍👩‍👧");
    expect(table).toContain("می‌خواهم");
  });
});

describe("prettyJson (Jackson's default pretty printer)", () => {
  it("writes members one a line and arrays on one line", () => {
    expect(prettyJson({ nodeIds: [1, 2], notAfter: "2026-03-30T11:00:00.000Z", refreshAllowed: false })).toBe(
      lines("{", '  "nodeIds" : [ 1, 2 ],', '  "notAfter" : "2026-03-30T11:00:00.000Z",', '  "refreshAllowed" : false', "}"),
    );
  });

  it("writes empty containers, nesting, escapes, and skips undefined members", () => {
    expect(prettyJson({})).toBe("{ }");
    expect(prettyJson([])).toBe("[ ]");
    expect(prettyJson({ a: { b: [{ c: null }] }, u: undefined, s: 'q"\n' })).toBe(
      lines("{", '  "a" : {', '    "b" : [ {', '      "c" : null', "    } ]", "  },", '  "s" : "q\\"\\n"', "}"),
    );
    expect(prettyJson({ a: [1] }, "")).toBe(lines("{", '"a" : [ 1 ]', "}"));
  });
});
