import { readServerSettings, type ServerSettings } from "../../config.js";
import { defineBackend } from "../plugin.js";
import { VAST_CAPABILITIES } from "./capabilities.js";
import { readVastConfig, type VastConfig } from "./config.js";

/** VAST VMS API tokens (`sn-tokens-mcp vast`, `sn-tokens-mcp vast sandbox`). */
export const vastPlugin = defineBackend<VastConfig & ServerSettings>({
  command: "vast",
  help: {
    summary: '"vast" serves VAST VMS API tokens instead (list, create, update, revoke); see VAST_* below.',
    variables: `With vast (SolarNetwork's SN_URL, SN_TOKEN*, SN_MCP_TOKEN_TYPES and the User-token rule are refused):
  VAST_URL                the VMS address, https://host[:port] (required)
  VAST_API_TOKEN          the server's own API token, ID.SECRET, or VAST_API_TOKEN_FILE: a file
                          holding it, or instead VAST_USERNAME with VAST_PASSWORD / VAST_PASSWORD_FILE
  VAST_TENANT             sent as X-Tenant-Name (a tenant admin's credential)
  VAST_API_VERSION        latest (default) or vN
  VAST_CA_FILE            PEM bundle of the CAs to trust; VAST_TLS_INSECURE=true skips verification
  VAST_ALLOWED_OWNERS     comma list of other VMS users tokens may be created for (default: none)
`,
  },
  // The cluster's variables first: SolarNetwork's, which mean nothing here, are refused before anything else.
  readConfig: (env) => {
    const vast = readVastConfig(env);
    return { ...vast, ...readServerSettings(env) };
  },
  // The whole API token and its secret part: a bearer must be neither.
  credentialSecrets: ({ credential }) => (credential.kind === "api-token" ? [`${credential.tokenId}.${credential.secret}`, credential.secret] : [credential.password]),
  makeBackend: async () => (await import("./backend.js")).vastBackend,
  doctor: async () => (await import("./doctor.js")).vastDoctor,
  capabilities: VAST_CAPABILITIES,
  tools: async () => (await import("./tools/index.js")).VAST_TOOLS,
  sandbox: { fileName: "vast-sandbox.json", start: async () => (await import("./sandbox.js")).startVastSandbox },
  bundle: {
    manifest: "manifest-vast.json",
    async simulate() {
      const { startVmsSimulator } = await import("../../simulators/vast/server.js");
      const vms = await startVmsSimulator({ recordRequests: false });
      const own = vms.seedToken({ owner: "admin", name: "sn-tokens-mcp pack check" });
      return { values: { vast_url: vms.url, vast_api_token: own.token }, ownTokenId: own.id, close: () => vms.close() };
    },
  },
});
