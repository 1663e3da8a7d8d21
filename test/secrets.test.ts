import { mkdtemp, readFile, readdir, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { afterEach, describe, expect, it } from "vitest";
import { Redactor, REDACTED } from "../src/safety/redact.js";
import { deriveSigningKey, signingDay } from "../src/backends/solarnetwork/snws2.js";
import { startHarness, textOf, type Harness } from "./support/harness.js";

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe("canary secrets", () => {
  it("never appear in results, errors or logs, except the one inline reveal", async () => {
    h = await startHarness();
    const serverKey = deriveSigningKey(h.admin.secret, signingDay(new Date())).toString("hex");
    const outputs: string[] = [];
    const record = (value: unknown) => outputs.push(JSON.stringify(value));

    const first = await h.call("create_token", { type: "User", name: "canary", apiPaths: ["/datum/**"] });
    const minted = (first.structuredContent as { secret: string; token: { id: string } }).secret;
    const mintedId = (first.structuredContent as { token: { id: string } }).token.id;
    expect(textOf(first)).toContain(minted);

    // Every other path: listings in all modes, updates, failures of several kinds, a delete.
    for (const displayMode of ["json", "pretty", "csv"]) record(await h.call("list_tokens", { displayMode }));
    record(await h.call("update_token", { tokenId: mintedId, description: "still secret-free", nodeIds: [1] }));
    h.solarUser.injectFault({ match: { pathEndsWith: "/status" }, kind: "status", status: 500 });
    record(await h.call("update_token", { tokenId: mintedId, name: "x", status: "Disabled" }));
    h.solarUser.injectFault({ kind: "status", status: 500, body: `{"success":false,"message":"${minted}"}` });
    h.solarUser.injectFault({ kind: "status", status: 500, body: `<html>${h.admin.secret}</html>` });
    h.solarUser.injectFault({ kind: "status", status: 500, body: `{"success":false,"message":"${serverKey}"}` });
    record(await h.call("list_tokens", {}));
    record(await h.call("create_token", { type: "User", name: minted }));
    record(await h.call("delete_token", { tokenId: mintedId }));

    const everything = [...outputs, ...h.logs].join("\n");
    for (const secret of [minted, h.admin.secret, serverKey]) {
      expect(everything).not.toContain(secret);
    }
    expect(h.logs.length).toBeGreaterThan(0);
  });
});

describe("canary secrets on the hygiene and lost-reply paths", () => {
  it("reach no result but their own reveal, no question, log line or audit line", async () => {
    const dir = await mkdtemp(join(tmpdir(), "sn-mcp-canary-"));
    const audit = join(dir, "audit.jsonl");
    const questions: string[] = [];
    h = await startHarness({ env: { SN_MCP_AUDIT_LOG: audit }, elicit: (message) => (questions.push(message), { action: "accept", content: { allow: true } }) });
    const serverKey = deriveSigningKey(h.admin.secret, signingDay(new Date())).toString("hex");
    const outputs: string[] = [];
    const reveals: string[] = [];
    /** Records a result; a new token's own secret is taken out first, the one place it may be. */
    const record = (result: CallToolResult) => {
      const secret = (result.structuredContent as { secret?: string } | undefined)?.secret;
      if (secret) reveals.push(secret);
      outputs.push(secret ? JSON.stringify(result).replaceAll(secret, "") : JSON.stringify(result));
      return result.structuredContent as { token: { id: string } };
    };

    const first = record(await h.call("create_token", { type: "ReadNodeData", nodeIds: [1], expiresIn: "1D", requestKey: "canary-1" }));
    record(await h.call("create_token", { type: "ReadNodeData", nodeIds: [1], expiresIn: "1D", requestKey: "canary-1" }));
    record(await h.call("rotate_token", { tokenId: first.token.id }));
    record(await h.call("review_tokens", { displayMode: "pretty" }));
    h.solarUser.injectFault({ match: { pathEndsWith: "/generate/ReadNodeData" }, kind: "applyThenReset" });
    record(await h.call("create_token", { type: "ReadNodeData", nodeIds: [2], expiresIn: "1D" }));
    // Upstream text echoing every secret so far: never passed on.
    h.solarUser.injectFault({ kind: "status", status: 500, body: `{"success":false,"message":"${[...reveals, h.admin.secret, serverKey].join(" ")}"}` });
    record(await h.call("list_tokens", {}));
    record(await h.call("retire_assistant_tokens", {}));

    expect(reveals).toHaveLength(2);
    const everything = [...outputs, ...questions, ...h.logs, await readFile(audit, "utf8")].join("\n");
    for (const secret of [...reveals, h.admin.secret, serverKey]) expect(everything).not.toContain(secret);
    expect(h.logs.length).toBeGreaterThan(0);
  });
});

describe("file delivery", () => {
  it("writes the secret to a new 0600 file and returns only its path", async () => {
    const dir = await mkdtemp(join(tmpdir(), "sn-secrets-"));
    h = await startHarness({ env: { SN_MCP_SECRET_DELIVERY: "file", SN_MCP_SECRET_DIR: dir } });
    const result = await h.call("create_token", { type: "ReadNodeData", nodeIds: [1] });
    const out = result.structuredContent as { secret?: string; secretFile: string; token: { id: string } };
    expect(out.secret).toBeUndefined();
    expect(out.secretFile.startsWith(dir)).toBe(true);
    const content = await readFile(out.secretFile, "utf8");
    const secret = /SN_TOKEN_SECRET=(.+)/.exec(content)![1]!;
    expect(content).toContain(`SN_TOKEN=${out.token.id}`);
    expect(JSON.stringify(result)).not.toContain(secret);
    if (process.platform !== "win32") expect((await stat(out.secretFile)).mode & 0o777).toBe(0o600);
    expect(h.logs.join("\n")).not.toContain(secret);
  });

  it("refuses to mint when the secret directory cannot be written, sending nothing", async () => {
    const dir = await mkdtemp(join(tmpdir(), "sn-secrets-"));
    const blocker = join(dir, "not-a-directory");
    h = await startHarness({ env: { SN_MCP_SECRET_DELIVERY: "file", SN_MCP_SECRET_DIR: blocker } });
    await writeFile(blocker, ""); // after start-up, which would have refused it
    h.mark();
    const result = await h.call("create_token", { type: "ReadNodeData" });
    expect(result.isError).toBe(true);
    expect(h.requestsSinceMark()).toBe(0);
    expect(await readdir(dir)).toEqual(["not-a-directory"]);
  });
});

describe("Redactor", () => {
  const redactor = new Redactor();
  redactor.addSecret("s3cr3t-value-123");
  redactor.addSecret(Buffer.from("0123456789abcdef0123456789abcdef", "hex"));

  it("hides registered values, secret-named keys and SNWS2 headers", () => {
    expect(redactor.text("x s3cr3t-value-123 y")).toBe(`x ${REDACTED} y`);
    expect(redactor.text("key 0123456789abcdef0123456789abcdef")).toBe(`key ${REDACTED}`);
    expect(redactor.value({ authSecret: "anything", nested: [{ Authorization: "Bearer x" }] })).toEqual({
      authSecret: REDACTED,
      nested: [{ Authorization: REDACTED }],
    });
    const header = "SNWS2 Credential=abc,SignedHeaders=host;x-sn-date,Signature=" + "a".repeat(64);
    expect(redactor.text(`auth: ${header}`)).toBe(`auth: SNWS2 ${REDACTED}`);
  });

  it("finds a secret that is the whole string, of the shortest length a secret may have", () => {
    const short = new Redactor();
    short.addSecret("8chars!!");
    short.addSecret("7chars!");
    expect(short.text("8chars!!")).toBe(REDACTED);
    expect(short.text("7chars!")).toBe("7chars!");
    expect(short.text("Signature=" + "b".repeat(16))).toBe(`Signature=${REDACTED}`);
    expect(short.text("SNWS2 Credential=a,SignedHeaders=host,Signature=")).toBe(`SNWS2 ${REDACTED}`);
  });

  it("skips only strings shorter than every registered value, and scrubs signatures in any string", () => {
    const keyOnly = new Redactor();
    const key = Buffer.alloc(32, 7);
    keyOnly.addSecret(key); // hex: 64 characters, base64: 44
    const base64 = key.toString("base64");
    expect(keyOnly.text(base64)).toBe(REDACTED);
    expect(keyOnly.text(base64.slice(0, -1))).toBe(REDACTED); // unpadded base64 is the key too
    expect(keyOnly.text(base64.slice(0, -2))).toBe(base64.slice(0, -2));
    expect(keyOnly.text("Signature=" + "c".repeat(16))).toBe(`Signature=${REDACTED}`);
    const mixed = new Redactor();
    mixed.addSecret("a-twenty-char-secret");
    mixed.addSecret("0123456789");
    expect(mixed.text("0123456789")).toBe(REDACTED);
    expect(mixed.text("012345678")).toBe("012345678");
    expect(mixed.text("a-twenty-char-secret")).toBe(REDACTED);
  });

  it("finds every one of many secrets: side by side, sharing their first characters, hex in either case", () => {
    const many = new Redactor();
    const secrets = Array.from({ length: 500 }, (_, n) => `tok-${String(n).padStart(4, "0")}-${"x".repeat(n % 7)}`);
    for (const secret of secrets) many.addSecret(secret);
    const key = Buffer.from("00ff00ff00ff00ff00ff", "hex");
    many.addSecret(key);
    // Side by side; and text sharing a secret's first eight characters without being it stays.
    expect(many.text(`a ${secrets[12]}${secrets[499]} b`)).toBe(`a ${REDACTED}${REDACTED} b`);
    expect(many.text(`${secrets[7]}`)).toBe(REDACTED);
    expect(many.text("tok-0012 and tok-99 stay")).toBe("tok-0012 and tok-99 stay");
    expect(many.text(`key=${key.toString("hex").toUpperCase()};`)).toBe(`key=${REDACTED};`);
    expect(many.text(`one ${secrets[3]} two ${secrets[3]}`)).toBe(`one ${REDACTED} two ${REDACTED}`);
    expect(many.value({ note: `kept ${secrets[5]}` }, secrets[5])).toEqual({ note: `kept ${secrets[5]}` });
  });

  it("hides overlapping secrets whole, and an exact copy of a secret in any script", () => {
    const overlapping = new Redactor();
    overlapping.addSecret("1111111122222222");
    overlapping.addSecret("2222222233333333");
    expect(overlapping.text("a 111111112222222233333333 b")).toBe(`a ${REDACTED} b`);
    const greek = new Redactor();
    greek.addSecret("abcdefgΣ");
    expect(greek.text("abcdefgΣz")).toBe(`${REDACTED}z`);
    expect(greek.text("x abcdefgΣ")).toBe(`x ${REDACTED}`);
  });

  it("never reads past the end of a text into what an earlier one left", () => {
    const fresh = new Redactor();
    fresh.addSecret("0123456789abcdef");
    expect(fresh.text("abcdefgh0123456789abcdef")).toBe(`abcdefgh${REDACTED}`);
    expect(fresh.text("abcdefgh0123456789abcd")).toBe("abcdefgh0123456789abcd");
  });

  it("hides a secret at the end of a text longer than the array it keeps for scans, and scans short ones after it", () => {
    const fresh = new Redactor();
    fresh.addSecret("0123456789abcdef");
    expect(fresh.text(`${"x".repeat(70_000)} 0123456789ABCDEF`)).toBe(`${"x".repeat(70_000)} ${REDACTED}`);
    expect(fresh.text("y 0123456789abcdef")).toBe(`y ${REDACTED}`);
  });

  it("hides bytes whatever their field is called", () => {
    const key = Buffer.alloc(32, 7);
    expect(redactor.value({ k: key, nested: [new Uint8Array(key)], n: 7 })).toEqual({ k: REDACTED, nested: [REDACTED], n: 7 });
  });

  it("lets through only the one reveal it is given", () => {
    expect(redactor.value({ secret: "s3cr3t-value-123" }, "s3cr3t-value-123")).toEqual({ secret: "s3cr3t-value-123" });
    expect(redactor.value({ secret: "other-secret-xyz" }, "s3cr3t-value-123")).toEqual({ secret: REDACTED });
  });
});
