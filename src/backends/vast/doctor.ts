import type { ServerSettings } from "../../config.js";
import { errorText } from "../../core/errors.js";
import { clockCheck, localChecks } from "../../doctor/local.js";
import { networkChecks, NETWORK_CHECKS, type Observed } from "../../doctor/network.js";
import { skipped, type CheckResult, type DoctorCheck } from "../../doctor/run.js";
import type { BackendDoctor } from "../plugin.js";
import { VastTokenApi, type WhoAmI } from "./api.js";
import { VAST_VARIABLES, VastClient, vastClientOptions } from "./client.js";
import type { VastConfig } from "./config.js";
import { isVastError } from "./errors.js";
import { DEFAULT_MAX_TOKENS_PER_USER } from "./tokens.js";

/** `sn-tokens-mcp vast doctor`: the VAST configuration checked against its VMS, read-only. */
export function vastDoctor(config: VastConfig & ServerSettings, now: () => number): BackendDoctor {
  const observed: Observed = {};
  // No retries: a check says what the first attempt met.
  const client = new VastClient({ ...vastClientOptions(config, config.timeoutMs), maxRetries: 0 });
  const api = new VastTokenApi(client);
  const { credential } = config;
  const credentialVariable = credential.kind === "api-token" ? "VAST_API_TOKEN" : "VAST_USERNAME and VAST_PASSWORD";
  let listed: { owners: Set<string> } | undefined;
  let whoAmI: WhoAmI | undefined;
  const needs = (names: readonly string[], failed: readonly string[]) => failed.find((name) => names.includes(name));
  const network = [...NETWORK_CHECKS];

  const checks: DoctorCheck[] = [
    {
      name: "configuration",
      run: async () => ({ status: config.tls.insecure ? "warn" : "ok", detail: describeConfig(config), ...(config.tls.insecure ? { fix: "set VAST_CA_FILE instead of VAST_TLS_INSECURE" } : {}) }),
    },
    ...networkChecks(
      { baseUrl: config.baseUrl, tls: config.tls, variables: VAST_VARIABLES, probePath: `/api/${config.apiVersion}/apitokens/`, timeoutMs: config.timeoutMs },
      observed,
      now,
    ),
    {
      name: "credential",
      async run(failed) {
        const blocked = needs(network, failed);
        if (blocked) return skipped(blocked);
        try {
          const listing = await api.listing();
          listed = { owners: new Set(listing.tokens.map((token) => token.owner ?? "")) };
          const who = credential.kind === "api-token" ? `API token ${credential.tokenId}` : `user ${credential.username}`;
          return { status: "ok", detail: `VMS accepted ${who} (${credentialVariable}): GET apitokens/ listed ${count(listing.tokens.length + listing.unreadable.length)}` };
        } catch (error) {
          return refusal(error, credentialVariable, config.apiVersion);
        }
      },
    },
    {
      name: "identity",
      async run(failed) {
        const blocked = needs([...network, "credential"], failed);
        if (blocked) return skipped(blocked);
        whoAmI = await api.whoAmI();
        const username = credential.kind === "password" ? credential.username : (whoAmI?.username ?? (await api.show(credential.tokenId))?.owner);
        if (username === undefined) return { status: "fail", detail: "VMS will not say which user the credential belongs to: no token could be created", fix: `check ${credentialVariable}` };
        const others = [...(listed?.owners ?? [])].some((owner) => owner !== username);
        const rights = others ? "sees other users' tokens (Security realm View)" : "sees only its own tokens (no Security realm View, or no one else has tokens)";
        const type = whoAmI?.userType ? ` (${whoAmI.userType})` : "";
        const tenant = whoAmI?.tenant ?? config.tenant;
        return {
          status: "ok",
          detail: `user ${username}${type}, tenant ${tenant ?? "none"}; ${rights}; Create, Edit and Delete are not tried (doctor changes nothing): a denial names the missing right`,
        };
      },
    },
    clockCheck(() => observed.serverDate, {
      okMs: 60_000,
      effect: "VMS counts an expiry from its own clock; the server re-reads each new token and corrects an expiry that would run late",
    }),
    {
      name: "API version",
      async run(failed) {
        const blocked = needs([...network, "credential"], failed);
        if (blocked) return skipped(blocked);
        return { status: "ok", detail: `/api/${config.apiVersion}/ serves API tokens (VAST_API_VERSION ${config.apiVersion}; API tokens need VAST 5.3 or later)` };
      },
    },
    {
      name: "token cap and lifetime",
      async run(failed) {
        const blocked = needs([...network, "credential", "identity"], failed);
        if (blocked) return skipped(blocked);
        const cluster = await api.cluster();
        const cap = cluster?.maxTokensPerUser;
        const capText = cap === undefined ? `cap not readable by this credential (vms/): VMS's default ${DEFAULT_MAX_TOKENS_PER_USER} assumed` : `cap ${cap} valid tokens per user (vms/${cluster!.id}/)`;
        const password = cluster && (await api.pwdSettings(cluster));
        const lifetime =
          password?.expirationEnabled === false
            ? "password expiration is off: no maximum lifetime, and a token created without an expiry never expires"
            : password?.expirationTimeout
              ? `longest and default lifetime ${password.expirationTimeout} (pwd_settings)`
              : "maximum lifetime not readable by this credential (pwd_settings): VMS still refuses an expiry beyond it";
        return { status: "ok", detail: `${capText}; ${lifetime}` };
      },
    },
    ...localChecks(config),
  ];
  return { checks, close: () => client.close() };
}

function describeConfig(config: VastConfig): string {
  const { credential, tls } = config;
  const who = credential.kind === "api-token" ? `VAST_API_TOKEN ${credential.tokenId}.…` : `VAST_USERNAME ${credential.username} with its password`;
  const trust = tls.insecure ? "VAST_TLS_INSECURE: certificates not verified" : tls.caPem ? "trusts VAST_CA_FILE" : "trusts the system's CAs (and NODE_EXTRA_CA_CERTS)";
  const tenant = config.tenant ? `, VAST_TENANT ${config.tenant}` : "";
  return `VAST_URL ${config.baseUrl}, VAST_API_VERSION ${config.apiVersion}, ${who}${tenant}; ${trust}`;
}

/** The credential check's failure, in the terms of what to change. */
function refusal(error: unknown, credentialVariable: string, version: string): CheckResult {
  if (isVastError(error, "unauthorized")) return { status: "fail", detail: `VMS refused the credential (${credentialVariable})`, fix: `set ${credentialVariable} to a valid, unrevoked credential (and VAST_TENANT for a tenant admin)` };
  if (isVastError(error, "not-found") && error.details.unknownPath) {
    return { status: "fail", detail: `VMS has no /api/${version}/apitokens/`, fix: "set VAST_API_VERSION to latest or a version with API tokens (VAST 5.3 or later), and check VAST_URL" };
  }
  return { status: "fail", detail: errorText(error), fix: "check VAST_URL" };
}

function count(tokens: number): string {
  return `${tokens} token${tokens === 1 ? "" : "s"}`;
}
