import { composeServer, type App } from "../../compose.js";
import { readServerSettings } from "../../config.js";
import { vastBackend } from "./backend.js";
import { readVastConfig } from "./config.js";

/** `sn-tokens-mcp vast`: the server settings and the VMS cluster from the environment, composed. */
export function serveVast(env: NodeJS.ProcessEnv): { app: App; credentialSecrets: string[] } {
  const config = readVastConfig(env);
  const app = composeServer(readServerSettings(env), (deps) => vastBackend(config, deps));
  for (const notice of config.notices) app.log.warn(notice);
  const { credential } = config;
  // An HTTP bearer must be neither the whole API token nor its secret part.
  const credentialSecrets = credential.kind === "api-token" ? [`${credential.tokenId}.${credential.secret}`, credential.secret] : [credential.password];
  return { app, credentialSecrets };
}
