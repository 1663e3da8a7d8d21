import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { handshake, spawnPeer } from "./stdio-peer.js";
import { round, type Row } from "./stats.js";

/**
 * 6. The tool listing, which a client puts in the model's context on every turn: the tools/list
 * response of `node dist/cli.js` (every tool) over stdio, and of `node dist/cli.js vast sandbox`
 * (the VAST tools, against the embedded simulator), its bytes, and the part the model is
 * given (each tool's name, description and inputSchema, as compact JSON) in approximate model
 * tokens: characters / 4. No tokenizer of current Claude models is public; on this listing, chars/4
 * came within 4% of two real ones (see bench/README.md), so no tokenizer is a dependency. Peer:
 * @modelcontextprotocol/server-everything's listing, measured the same way.
 */

export interface ListedTool {
  name: string;
  description?: string;
  inputSchema: unknown;
}

/** What the model is given of a listing (compact JSON), and its approximate size in model tokens. */
export function modelVisible(tools: readonly ListedTool[]): { chars: number; tokens: number } {
  const visible = JSON.stringify(tools.map(({ name, description, inputSchema }) => ({ name, description, inputSchema })));
  return { chars: visible.length, tokens: Math.ceil(visible.length / 4) };
}

interface Listing {
  tools: number;
  responseBytes: number;
  modelChars: number;
  modelTokens: number;
}

async function listing(args: string[], env: Record<string, string>): Promise<Listing> {
  const peer = spawnPeer(process.execPath, args, env);
  try {
    await handshake(peer);
    const { bytes, result } = await peer.requestSized("tools/list");
    const tools = (result as { tools: ListedTool[] }).tools;
    const { chars, tokens } = modelVisible(tools);
    return { tools: tools.length, responseBytes: bytes, modelChars: chars, modelTokens: tokens };
  } finally {
    await peer.close();
  }
}

export async function benchListing(options: { root: string; serverEnv: Record<string, string> }): Promise<{ rows: Row[]; details: Record<string, unknown> }> {
  const base = { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp" };
  const ours = await listing([join(options.root, "dist", "cli.js")], { ...base, ...options.serverEnv });
  // The VAST sandbox keeps its state under HOME: a throwaway one.
  const vastHome = mkdtempSync(join(tmpdir(), "sn-tokens-mcp-bench-"));
  let vast: Listing;
  try {
    vast = await listing([join(options.root, "dist", "cli.js"), "vast", "sandbox"], { ...base, HOME: vastHome });
  } finally {
    rmSync(vastHome, { recursive: true, force: true });
  }
  const everything = await listing([join(options.root, "node_modules", "@modelcontextprotocol", "server-everything", "dist", "index.js"), "stdio"], base);
  const peer = "@modelcontextprotocol/server-everything";
  return {
    rows: [
      {
        section: "listing",
        figure: `tools/list, ${ours.tools} tools: name + description + inputSchema, model tokens (chars/4)`,
        ours: ours.modelTokens,
        unit: "tokens",
        peer: `${peer} (${everything.tools} tools)`,
        peerValue: everything.modelTokens,
        ratioOf: "ours/peer",
        ratio: round(ours.modelTokens / everything.modelTokens, 2),
        target: "≤ 1,500 tokens",
        pass: ours.modelTokens <= 1_500,
        note: `${ours.modelChars} characters; ${round(ours.modelTokens / ours.tools, 0)} tokens per tool`,
      },
      {
        section: "listing",
        figure: `VAST (vast sandbox) tools/list, ${vast.tools} tools: name + description + inputSchema, model tokens (chars/4)`,
        ours: vast.modelTokens,
        unit: "tokens",
        peer: `${peer} (${everything.tools} tools)`,
        peerValue: everything.modelTokens,
        ratioOf: "ours/peer",
        ratio: round(vast.modelTokens / everything.modelTokens, 2),
        target: "—",
        pass: null,
        note: `${vast.modelChars} characters; ${round(vast.modelTokens / vast.tools, 0)} tokens per tool; response ${vast.responseBytes} B`,
      },
      {
        section: "listing",
        figure: `tools/list response on the wire (all fields, JSON-RPC line)`,
        ours: ours.responseBytes,
        unit: "B",
        peer,
        peerValue: everything.responseBytes,
        ratioOf: "ours/peer bytes",
        ratio: round(ours.responseBytes / everything.responseBytes, 2),
        target: "—",
        pass: null,
        note: `model-visible part ${ours.modelChars} B`,
      },
    ],
    details: { ours, vast, everything },
  };
}
