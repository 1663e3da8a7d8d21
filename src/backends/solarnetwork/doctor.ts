import { errorText } from "../../core/errors.js";
import { clockCheck, localChecks } from "../../doctor/local.js";
import { networkChecks, NETWORK_CHECKS, type Observed } from "../../doctor/network.js";
import { skipped, type DoctorCheck } from "../../doctor/run.js";
import { createLogger } from "../../log.js";
import { Redactor } from "../../safety/redact.js";
import type { BackendDoctor } from "../plugin.js";
import { solarNetworkBackend } from "./backend.js";
import { SOLARNETWORK_VARIABLES } from "./client.js";
import type { Config } from "./config.js";
import { isSolarNetworkError } from "./errors.js";
import { isRestricted, type Token } from "./model.js";
import type { TokenService } from "./service.js";

/** `sn-tokens-mcp doctor`: the SolarNetwork configuration checked against SolarNetwork, read-only. */
export function solarNetworkDoctor(config: Config, now: () => number): BackendDoctor {
  const observed: Observed = {};
  const backend = solarNetworkBackend(config, {
    protect: () => {},
    log: createLogger("silent", new Redactor()),
    clock: now,
    timeoutMs: config.timeoutMs,
    retryDelayMs: () => 0,
  });
  const service = backend.service as TokenService;
  const secret = config.signingKey ? `SN_TOKEN_SIGNING_KEY for ${config.signingKey.date}, valid until ${new Date(config.signingKey.expiresAt).toISOString()}` : "its secret";
  let own: Token | undefined;
  let denied = false;
  const network = [...NETWORK_CHECKS];
  const needs = (names: readonly string[], failed: readonly string[]) => failed.find((name) => names.includes(name));

  const checks: DoctorCheck[] = [
    { name: "configuration", run: async () => ({ status: "ok", detail: `SN_URL ${config.baseUrl}, SN_TOKEN ${config.tokenId} with ${secret}` }) },
    ...networkChecks({ baseUrl: config.baseUrl, variables: SOLARNETWORK_VARIABLES, probePath: "/solarquery/api/v1/sec/whoami", timeoutMs: config.timeoutMs }, observed, now),
    {
      name: "credential",
      async run(failed) {
        const blocked = needs(network, failed);
        if (blocked) return skipped(blocked);
        try {
          own = await service.get(config.tokenId);
        } catch (error) {
          if (!isSolarNetworkError(error, "forbidden")) {
            const refused = isSolarNetworkError(error, "unauthorized");
            return { status: "fail", detail: refused ? `SolarNetwork refused SN_TOKEN ${config.tokenId} with ${secret}` : errorText(error), fix: refused ? "set SN_TOKEN and its secret (SN_TOKEN_SECRET, SN_TOKEN_SECRET_FILE or a current signing key)" : "check SN_URL" };
          }
          denied = true;
        }
        return { status: "ok", detail: `SolarNetwork accepted SN_TOKEN ${config.tokenId}` };
      },
    },
    {
      name: "identity",
      async run(failed) {
        const blocked = needs([...network, "credential"], failed);
        if (blocked) return skipped(blocked);
        const fix = "configure an unrestricted User token (no node, source, API path, metadata or aggregation restrictions) as SN_TOKEN";
        if (denied) return { status: "fail", detail: "SolarNetwork denies this token the token API: a ReadNodeData token, or a User token whose policy restricts it", fix };
        if (!own) return { status: "fail", detail: `SolarNetwork does not list token ${config.tokenId} itself`, fix };
        if (own.type !== "User") return { status: "fail", detail: `a ${own.type} token: only a User token may manage tokens`, fix };
        if (isRestricted(own.policy)) return { status: "fail", detail: "a User token with a restricted policy: SolarNetwork lists only itself and refuses every change", fix };
        const expiry = own.policy?.notAfter ? `, expires ${own.policy.notAfter}` : "";
        return { status: "ok", detail: `User token of user ${own.userId}, unrestricted${expiry}` };
      },
    },
    clockCheck(() => observed.serverDate, {
      okMs: 60_000,
      usableMs: 3_600_000,
      effect: "SolarNetwork refuses requests dated more than 15 minutes off; the server follows its clock after a refusal, but only up to an hour off",
    }),
    ...localChecks(config),
  ];
  return { checks, close: () => backend.close() };
}
