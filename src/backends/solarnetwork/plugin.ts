import { defineBackend } from "../plugin.js";
import { SOLARNETWORK_CAPABILITIES } from "./capabilities.js";
import { readConfig } from "./config.js";

/** SolarNetwork security tokens: the default backend (`sn-tokens-mcp`, `sn-tokens-mcp sandbox`). */
export const solarNetworkPlugin = defineBackend({
  command: "",
  help: {
    summary: "With no command it serves SolarNetwork security tokens (list, create, update, delete); see SN_* below.",
    variables: `With no command (SolarNetwork):
  SN_URL                  SolarNetwork base URL (default https://data.solarnetwork.net)
  SN_TOKEN                the server's own unrestricted User token ID (required)
  SN_TOKEN_SECRET         its secret, or SN_TOKEN_SECRET_FILE: a file holding it, or instead
  SN_TOKEN_SIGNING_KEY    a signing key derived from the secret (64 hex), with
  SN_TOKEN_SIGNING_DATE   the UTC date it was derived for (YYYY-MM-DD); valid 7 days
  SN_MCP_TOKEN_TYPES      comma list of types an assistant may create (User, ReadNodeData)
  SN_MCP_ALLOW_UNRESTRICTED_USER_TOKENS  false: refuse User tokens without apiPaths
`,
  },
  readConfig,
  credentialSecrets: (config) => (config.tokenSecret === undefined ? [] : [config.tokenSecret]),
  makeBackend: async () => (await import("./backend.js")).solarNetworkBackend,
  doctor: async () => (await import("./doctor.js")).solarNetworkDoctor,
  capabilities: SOLARNETWORK_CAPABILITIES,
  tools: async () => (await import("./tools/index.js")).SOLARNETWORK_TOOLS,
  sandbox: { fileName: "sandbox-tokens.json", start: async () => (await import("./sandbox.js")).startSandbox },
  recordingEnv: { SN_TOKEN: "recording", SN_TOKEN_SECRET: "recording" },
  bundle: {
    manifest: "manifest.json",
    async simulate() {
      const { startLocalSolarUser } = await import("../../simulators/solarnetwork/solaruser.js");
      const solarUser = await startLocalSolarUser();
      const own = solarUser.seedToken({ type: "User" });
      return { values: { sn_url: solarUser.url, sn_token: own.id, sn_token_secret: own.secret }, ownTokenId: own.id, close: () => solarUser.close() };
    },
  },
});
