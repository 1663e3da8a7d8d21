import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { fileURLToPath } from "node:url";
import { LATEST_PROTOCOL_VERSION, SUPPORTED_PROTOCOL_VERSIONS } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLocalSolarUser, type LocalSolarUser } from "../src/simulators/solarnetwork/solaruser.js";
import { recordStdioAnswers } from "../src/stdio-answers.js";
import { frontConfiguration } from "../src/stdio-configurations.js";
import { startStdioFront } from "../src/stdio-front.js";

// `npm test` builds first (pretest), so this drives the real binary, front included.
const CLI = fileURLToPath(new URL("../dist/cli.js", import.meta.url));

type Message = { id?: unknown; method?: string; result?: unknown; error?: unknown; params?: unknown };

/** A raw JSON-RPC session with dist/cli.js: the lines it writes, as written. */
function session(env: Record<string, string>, args: string[] = []) {
  const child = spawn(process.execPath, [CLI, ...args], { env: { PATH: process.env.PATH ?? "", ...env }, stdio: ["pipe", "pipe", "pipe"] });
  const lines: string[] = [];
  let buffer = "";
  let stderr = "";
  // Answers are awaited as events, not polled against a deadline: a busy machine only makes them later.
  const waiting = new Set<() => void>();
  const wake = () => {
    for (const check of [...waiting]) check();
  };
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdout.on("data", (chunk: Buffer) => {
    buffer += chunk.toString();
    let newline: number;
    while ((newline = buffer.indexOf("\n")) >= 0) {
      lines.push(buffer.slice(0, newline));
      buffer = buffer.slice(newline + 1);
    }
    wake();
  });
  let ended = false;
  const exited = new Promise<number | null>((resolve) =>
    child.once("exit", (code) => {
      ended = true;
      resolve(code);
      wake();
    }),
  );
  const messages = () => lines.map((line) => JSON.parse(line) as Message);
  const peer = {
    lines,
    messages,
    stderr: () => stderr,
    send: (message: object) => child.stdin.write(`${JSON.stringify({ jsonrpc: "2.0", ...message })}\n`),
    /** The first line whose message matches, once it has come; rejected if the process ends without it. */
    line: (matches: (message: Message) => boolean, what: string) =>
      new Promise<string>((resolve, reject) => {
        const check = () => {
          const index = messages().findIndex(matches);
          if (index < 0 && !ended) return;
          waiting.delete(check);
          if (index < 0) reject(new Error(`the server ended without sending ${what}; stderr: ${stderr}`));
          else resolve(lines[index] as string);
        };
        waiting.add(check);
        check();
      }),
    /** The line answering `id`. */
    answer: (id: unknown) => peer.line((message) => message.id === id && message.method === undefined, `the answer to ${String(id)}`),
    async close() {
      child.stdin.end();
      return exited;
    },
  };
  return peer;
}

const initializeParams = (protocolVersion: string, capabilities: object = {}) => ({
  protocolVersion,
  capabilities,
  clientInfo: { name: "front-test", version: "0" },
});

/** The session's start, answered by the front, or (`sdkOnly`) by the SDK: an unanswered notification first leaves it all to the SDK. */
async function start(env: Record<string, string>, protocolVersion: string, sdkOnly: boolean, args: string[] = []): Promise<string[]> {
  const peer = session(env, args);
  if (sdkOnly) peer.send({ method: "notifications/roots/list_changed" });
  peer.send({ id: 1, method: "initialize", params: initializeParams(protocolVersion) });
  peer.send({ method: "notifications/initialized" });
  peer.send({ id: "two", method: "ping" });
  peer.send({ id: 3, method: "tools/list", params: {} });
  const answers = [await peer.answer(1), await peer.answer("two"), await peer.answer(3)];
  expect(peer.lines).toHaveLength(3);
  expect(await peer.close()).toBe(0);
  return answers;
}

const CREDENTIAL = { SN_URL: "http://127.0.0.1:9", SN_TOKEN: "front-test", SN_TOKEN_SECRET: "front-test-secret" };

describe("the stdio front", () => {
  let solarUser: LocalSolarUser;
  let scratch: string;
  beforeAll(async () => {
    solarUser = await startLocalSolarUser();
    scratch = mkdtempSync(join(tmpdir(), "stdio-front-"));
  });
  afterAll(async () => {
    await solarUser.close();
    rmSync(scratch, { recursive: true, force: true });
  });

  const configurations: [string, Record<string, string>, string[]][] = [
    ["every tool", {}, []],
    ["SN_MCP_READ_ONLY", { SN_MCP_READ_ONLY: "true" }, []],
    ["--read-only", {}, ["--read-only"]],
    // Not recorded: the front must leave these to the SDK, which lists what they select.
    ["SN_MCP_TOOLS", { SN_MCP_TOOLS: "list_tokens" }, []],
    ["SN_MCP_EXCLUDE_TOOLS", { SN_MCP_EXCLUDE_TOOLS: "delete_token" }, []],
    ["sandbox", {}, ["sandbox"]],
  ];
  for (const [name, env, args] of configurations) {
    it(`answers the session's start (${name}) byte for byte as the SDK server does, for every protocol version`, async () => {
      // Each sandbox process its own file: a sandbox file is locked by the process using it.
      const settings = (run: string) => ({ ...CREDENTIAL, ...env, ...(args.includes("sandbox") ? { SN_MCP_SANDBOX_FILE: join(scratch, `${run}.json`) } : {}) });
      for (const version of [...SUPPORTED_PROTOCOL_VERSIONS, "1999-01-01"]) {
        const [viaFront, viaSdk] = await Promise.all([start(settings("front"), version, false, args), start(settings("sdk"), version, true, args)]);
        expect(viaFront).toEqual(viaSdk);
        // The answers are recorded at build time, before any credential exists: none can be in them.
        for (const line of viaFront) expect(line).not.toMatch(/front-test|recording/);
        const negotiated = (JSON.parse(viaFront[0] as string) as { result: { protocolVersion: string } }).result.protocolVersion;
        expect(negotiated).toBe(version === "1999-01-01" ? LATEST_PROTOCOL_VERSION : version);
      }
      // Ten processes started one pair at a time: on a loaded machine that takes longer than one call's test.
    }, 90_000);
  }

  it("is recorded only for every tool and for the read-only ones", () => {
    expect(frontConfiguration({ readOnly: false, excludeTools: [] })).toBe("all");
    expect(frontConfiguration({ readOnly: true, excludeTools: [] })).toBe("read-only");
    expect(frontConfiguration({ readOnly: false, tools: ["list_tokens"], excludeTools: [] })).toBeUndefined();
    expect(frontConfiguration({ readOnly: true, excludeTools: ["review_tokens"] })).toBeUndefined();
  });

  it("answers from the recording alone, before any SDK server is connected, and leaves what it is not sure of to the SDK", async () => {
    const answers = (await recordStdioAnswers()).all;
    const input = new PassThrough();
    const output = new PassThrough();
    const written: string[] = [];
    output.on("data", (chunk: Buffer) => written.push(...chunk.toString().trim().split("\n")));
    const front = startStdioFront(answers, { input, output, loadAfterMs: 60_000 });
    input.write(`${JSON.stringify({ jsonrpc: "2.0", id: 7, method: "initialize", params: initializeParams("2025-06-18") })}\n`);
    input.write(`${JSON.stringify({ jsonrpc: "2.0", id: 8, method: "tools/list" })}\n`);
    await front.loadWanted;
    expect(written.map((line) => JSON.parse(line) as Message)).toEqual([
      { result: answers.initialize["2025-06-18"], jsonrpc: "2.0", id: 7 },
      { result: answers.toolsList, jsonrpc: "2.0", id: 8 },
    ]);

    // Values the SDK's schema refuses (or that the front does not check) are not answered.
    for (const params of [
      { ...initializeParams("2025-06-18"), capabilities: { roots: { listChanged: "yes" } } },
      { ...initializeParams("2025-06-18"), capabilities: { elicitation: { form: { applyDefaults: {} } } } },
      { ...initializeParams("2025-06-18"), clientInfo: { name: "x", version: "0", icons: [] } },
      { ...initializeParams("2025-06-18"), clientInfo: { name: "x" } },
      { protocolVersion: 2025, capabilities: {}, clientInfo: { name: "x", version: "0" } },
    ]) {
      const otherInput = new PassThrough();
      const otherOutput = new PassThrough();
      let answered = "";
      otherOutput.on("data", (chunk: Buffer) => (answered += chunk.toString()));
      const other = startStdioFront(answers, { input: otherInput, output: otherOutput, loadAfterMs: 60_000 });
      otherInput.write(`${JSON.stringify({ jsonrpc: "2.0", id: 1, method: "initialize", params })}\n`);
      await other.loadWanted;
      expect(answered).toBe("");
    }
  });

  it("queues what comes before the SDK is ready, in order, and the SDK knows the client's capabilities from the replayed initialize", async () => {
    const admin = solarUser.seedToken({ type: "User", userId: 21 });
    const doomed = solarUser.seedToken({ type: "ReadNodeData", userId: 21 });
    const peer = session({ SN_URL: solarUser.url, SN_TOKEN: admin.id, SN_TOKEN_SECRET: admin.secret });
    // All at once, as a client that does not wait: the front answers the first three, the SDK the rest.
    peer.send({ id: 1, method: "initialize", params: initializeParams("2025-06-18", { elicitation: { form: {} } }) });
    peer.send({ method: "notifications/initialized" });
    peer.send({ id: 2, method: "tools/list" });
    peer.send({ id: 3, method: "tools/call", params: { name: "list_tokens", arguments: {} } });
    peer.send({ id: 4, method: "tools/call", params: { name: "delete_token", arguments: { tokenId: doomed.id } } });
    peer.send({ id: 5, method: "ping" });
    // delete_token asks the person: only a server that learnt the client's elicitation capability does.
    const question = JSON.parse(await peer.line((message) => message.method === "elicitation/create", "a question")) as Message;
    peer.send({ id: question.id, result: { action: "decline" } });
    const listed = JSON.parse(await peer.answer(3)) as { result: { structuredContent: { tokens: { id: string }[] } } };
    expect(listed.result.structuredContent.tokens.map((token) => token.id)).toContain(doomed.id);
    expect(await peer.answer(4)).toMatch(/did not allow/);
    expect(JSON.parse(await peer.answer(5))).toEqual({ result: {}, jsonrpc: "2.0", id: 5 });
    // Nothing answers the replayed initialize but the front's one answer to id 1; stdout is protocol only.
    expect(peer.messages().filter((message) => message.id !== undefined && message.method === undefined).map((message) => message.id)).toEqual(
      expect.arrayContaining([1, 2, 3, 4, 5]),
    );
    expect(peer.messages().every((message) => message.id !== "sn-tokens-mcp:replayed-initialize")).toBe(true);
    expect(solarUser.requests.some((request) => request.method === "DELETE")).toBe(false);
    expect(await peer.close()).toBe(0);
    expect(peer.stderr()).not.toContain("refused the initialize");
  });
});
