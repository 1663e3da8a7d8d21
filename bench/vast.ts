import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import { ElicitRequestSchema, type CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { vastBackend } from "../src/backends/vast/backend.js";
import { VastClient, vastClientOptions, vastPath } from "../src/backends/vast/client.js";
import { readVastConfig } from "../src/backends/vast/config.js";
import { composeServer } from "../src/compose.js";
import { readServerSettings } from "../src/config.js";
import { startVmsSimulator } from "../src/simulators/vast/server.js";
import { alternate, pairedDetail, type Paired } from "./per-call.js";
import { median, round, type Row } from "./stats.js";

/**
 * The VAST path, in process as the `call` section measures SolarNetwork: the MCP SDK Client over
 * the in-memory transport to the server composed with the VAST backend, against the embedded VMS
 * simulator, beside the same VMS requests made directly with the project's VastClient. Calls
 * alternate ABAB/BABA; the overhead is the difference of the medians.
 * - `list_tokens` (one page of a `tokens`-token cluster) against `GET apitokens/`;
 * - `create_token` then `revoke_token` (confirmed by the client at once) against `POST apitokens/`
 *   then `PATCH apitokens/{id}/revoke/`. The tools make more VMS requests than the two (the cap
 *   check, the read-back, the token shown before the question): their count goes beside the time.
 */

export interface VastBenchOptions {
  tokens: number;
  warmup: number;
  pairs: number;
  /** create+revoke is several requests and a question: fewer rounds. */
  writeWarmup: number;
  writePairs: number;
}

const OWNERS = ["manager", "secops"];
/** Pairs at each end of the create+revoke run whose medians show how the cost grows with the creates before. */
const GROWTH_WINDOW = 50;

export async function benchVast(options: VastBenchOptions): Promise<{ rows: Row[]; details: Record<string, unknown> }> {
  const vms = await startVmsSimulator();
  const admin = vms.seedToken({ owner: "admin", name: "mcp server", expiry: null });
  // Beside the server's own token, tokens of other owners: the server's user stays under the cap of 5.
  for (let i = 1; i < options.tokens; i++) vms.seedToken({ owner: OWNERS[i % OWNERS.length] as string, name: `integration ${i}`, expiry: "90D" });
  const env = { VAST_URL: vms.url, VAST_API_TOKEN: admin.token, SN_MCP_RATE_LIMIT_READS: "0", SN_MCP_RATE_LIMIT_WRITES: "0" };
  const config = readVastConfig(env);
  const app = composeServer(readServerSettings(env), (deps) => vastBackend(config, deps), { writeLog: () => {} });
  const direct = new VastClient(vastClientOptions(config, 15_000));
  const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
  await app.server.connect(serverTransport);
  const client = new Client({ name: "sn-tokens-mcp-bench", version: "0" }, { capabilities: { elicitation: { form: {} } } });
  client.setRequestHandler(ElicitRequestSchema, () => ({ action: "accept", content: { allow: true } }));
  await client.connect(clientTransport);
  await client.listTools();

  const call = async (name: string, args: Record<string, unknown>) => {
    const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
    if (result.isError) throw new Error(`vast: ${name} failed: ${JSON.stringify(result.content)}`);
    return result.structuredContent as Record<string, unknown>;
  };
  const listTokens = async () => {
    const { tokens } = (await call("list_tokens", {})) as { tokens: unknown[] };
    if (tokens.length !== Math.min(options.tokens, 50)) throw new Error(`vast: list_tokens listed ${tokens.length} tokens`);
  };
  const directList = async () => {
    const { body } = await direct.request({ method: "GET", path: "apitokens/" });
    if (!Array.isArray(body) || body.length !== options.tokens) throw new Error("vast: the direct GET did not return the cluster");
  };
  const createAndRevoke = async () => {
    const { token } = (await call("create_token", { name: "bench", expiresIn: "30D" })) as { token: { id: string } };
    await call("revoke_token", { tokenId: token.id });
  };
  const directCreateAndRevoke = async () => {
    const { body } = await direct.request({ method: "POST", path: "apitokens/", json: { name: "bench", expiry_date: "30D" }, create: true });
    await direct.request({ method: "PATCH", path: vastPath("apitokens", (body as { id: string }).id, "revoke") });
  };
  const requestsOf = async (run: () => Promise<void>) => {
    const before = vms.requests.length;
    await run();
    return vms.requests.length - before;
  };

  try {
    const list = await alternate(listTokens, directList, { warmup: options.warmup, pairs: options.pairs });
    const requests = { ours: await requestsOf(createAndRevoke), direct: await requestsOf(directCreateAndRevoke) };
    const write = await alternate(createAndRevoke, directCreateAndRevoke, { warmup: options.writeWarmup, pairs: options.writePairs });
    // Each create registers its secret with the redactor, which every later output is searched for.
    const growth = { firstPairsMs: round(median(write.ours.slice(0, GROWTH_WINDOW)), 3), lastPairsMs: round(median(write.ours.slice(-GROWTH_WINDOW)), 3) };
    return {
      rows: [
        row(`VAST list_tokens in process vs direct GET apitokens/ (${options.tokens} tokens)`, "VastClient GET apitokens/", list, 1),
        row(
          "VAST create_token + revoke_token in process vs direct POST + revoke",
          "VastClient POST apitokens/ + PATCH …/revoke/",
          write,
          undefined,
          `${requests.ours} VMS requests against ${requests.direct}; first ${GROWTH_WINDOW} pairs ${growth.firstPairsMs} ms, last ${GROWTH_WINDOW} ${growth.lastPairsMs} ms`,
        ),
      ],
      details: { tokens: options.tokens, pairs: options.pairs, writePairs: options.writePairs, list: pairedDetail(list), createRevoke: { ...pairedDetail(write), vmsRequests: requests, growth } },
    };
  } finally {
    await client.close();
    await app.close();
    await direct.close();
    await vms.close();
  }
}

/** `addedLimitMs`: the target on the added time; none makes the row information only. */
function row(figure: string, peer: string, samples: Paired, addedLimitMs: number | undefined, extra?: string): Row {
  const ours = median(samples.ours);
  const direct = median(samples.direct);
  const added = ours - direct;
  return {
    section: "vast",
    figure,
    ours: round(ours, 3),
    unit: "ms/call",
    peer,
    peerValue: round(direct, 3),
    ratioOf: "ours/peer time",
    ratio: round(ours / direct, 2),
    target: addedLimitMs === undefined ? "—" : `added ≤ ${addedLimitMs} ms`,
    pass: addedLimitMs === undefined ? null : added <= addedLimitMs,
    note: [`added ${round(added, 3)} ms (median)`, extra].filter(Boolean).join("; "),
  };
}
