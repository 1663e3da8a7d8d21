import { composeServer, type App } from "../../compose.js";
import { readServerSettings } from "../../config.js";
import { vastBackend } from "./backend.js";
import { readVastConfig } from "./config.js";

/** `sn-tokens-mcp vast`: the server settings and the VMS cluster from the environment, composed. */
export function serveVast(env: NodeJS.ProcessEnv): { app: App; credentialSecret: string } {
  const config = readVastConfig(env);
  const app = composeServer(readServerSettings(env), (deps) => vastBackend(config, deps));
  for (const notice of config.notices) app.log.warn(notice);
  const { credential } = config;
  return { app, credentialSecret: credential.kind === "api-token" ? credential.secret : credential.password };
}
