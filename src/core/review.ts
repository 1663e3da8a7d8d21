import { sanitizeText } from "../safety/sanitize.js";
import type { BackendCapabilities, TokenSummary } from "./token.js";

/**
 * Least-privilege review of a backend's tokens: pure rules over neutral token summaries. Each
 * finding says what is risky in a plain sentence and, where one exists, the tool call that fixes it.
 */

export const SEVERITIES = ["high", "medium", "low", "info"] as const;
export type Severity = (typeof SEVERITIES)[number];

export interface Finding {
  tokenId?: string;
  owner?: string;
  severity: Severity;
  rule: string;
  message: string;
  fix?: { tool: string; arguments: Record<string, unknown> };
}

export interface ReviewOptions {
  now: number;
  /** SN_MCP_MAX_LIFETIME. */
  maxLifetimeMs?: number;
  /** "Expiring soon" means within this many days. */
  withinDays: number;
  ownTokenId?: string;
  capabilities: BackendCapabilities;
  /** The backend's cap on valid tokens per owner, where it has one. */
  maxTokensPerOwner?: number;
  backend: string;
}

const DAY = 86_400_000;
const STALE_DAYS = 90;
/** A token this young that was never used is not yet a finding. */
const NEVER_USED_GRACE_DAYS = 7;
/** refreshAllowed on a token living longer than this is worth a look. */
const LONG_LIVED_DAYS = 30;

export function reviewTokens(tokens: readonly TokenSummary[], options: ReviewOptions): Finding[] {
  const findings = tokens.flatMap((token) => tokenFindings(token, options));
  if (options.maxTokensPerOwner !== undefined) findings.push(...capFindings(tokens, options.maxTokensPerOwner));
  return findings.sort((a, b) => SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity));
}

function tokenFindings(token: TokenSummary, options: ReviewOptions): Finding[] {
  const { now, capabilities } = options;
  const found: Finding[] = [];
  const add = (severity: Severity, rule: string, message: string, fix?: Finding["fix"]) =>
    found.push({ tokenId: token.id, severity, rule, message, ...(fix ? { fix } : {}) });
  const update = (args: Record<string, unknown>) => ({ tool: "update_token", arguments: { tokenId: token.id, ...args } });
  const end = { tool: capabilities.ends === "delete" ? "delete_token" : "revoke_token", arguments: { tokenId: token.id } };
  const live = token.status === "Active";
  const expires = token.expires === undefined ? undefined : Date.parse(token.expires);
  const ageDays = (now - Date.parse(token.created)) / DAY;
  const capExpiresIn = options.maxLifetimeMs === undefined ? "90D" : `${Math.floor(options.maxLifetimeMs / DAY) || 1}D`;

  if (token.id === options.ownTokenId) {
    add("info", "server-credential", ownCredentialText(token, options));
  }
  if (token.status === "Expired" || token.status === "Revoked") return found;
  if (expires === undefined) {
    add("high", "no-expiry", `Token ${quoted(token.id)} never expires.`, token.id === options.ownTokenId ? undefined : update({ expiresIn: capExpiresIn }));
  } else if (options.maxLifetimeMs !== undefined && expires > now + options.maxLifetimeMs) {
    add("medium", "beyond-max-lifetime", `Token ${quoted(token.id)} expires ${token.expires}, later than the operator's SN_MCP_MAX_LIFETIME allows from today.`, update({ expiresIn: capExpiresIn }));
  } else if (live && expires - now <= options.withinDays * DAY) {
    add("low", "expiring-soon", `Token ${quoted(token.id)} expires ${token.expires}, within ${options.withinDays} days; whatever uses it stops then. rotate_token makes a successor.`, { tool: "rotate_token", arguments: { tokenId: token.id } });
  }
  const policy = token.policy;
  if (capabilities.hasPolicy && token.type === "ReadNodeData" && !policy?.nodeIds?.length && !policy?.sourceIds?.length) {
    add("high", "unrestricted-data-token", `Data token ${quoted(token.id)} is restricted to no nodes or sources: it reads every node's data in the account. Give it nodeIds or sourceIds with update_token.`);
  }
  if (capabilities.hasPolicy && token.type === "User" && token.id !== options.ownTokenId && !policy?.apiPaths?.length) {
    add("high", "unrestricted-user-token", `User token ${quoted(token.id)} has no apiPaths: it can do anything the account can. Give it narrow apiPaths (replace: true) with update_token, or end it.`, end);
  }
  if (policy?.refreshAllowed === true && (expires === undefined || expires - now > LONG_LIVED_DAYS * DAY)) {
    add("medium", "refresh-on-long-lived", `Token ${quoted(token.id)} lives long and lets holders of a derived signing key refresh it, so a leaked key keeps working.`, update({ refreshAllowed: false }));
  }
  if (token.status === "Disabled" && ageDays > STALE_DAYS) {
    add("low", "disabled-long", `Token ${quoted(token.id)} is disabled and was created over ${STALE_DAYS} days ago (SolarNetwork does not say when it was disabled); if nothing needs it, end it.`, end);
  }
  if (capabilities.perOwnerCap && live && token.id !== options.ownTokenId) {
    const lastUsed = token.lastUsed === undefined ? undefined : Date.parse(token.lastUsed);
    if (lastUsed === undefined && ageDays > NEVER_USED_GRACE_DAYS) {
      add("medium", "never-used", `Token ${quoted(token.id)} has never been used since it was created ${token.created}.`, end);
    } else if (lastUsed !== undefined && now - lastUsed > STALE_DAYS * DAY) {
      add("medium", "unused", `Token ${quoted(token.id)} has not been used for over ${STALE_DAYS} days (last ${token.lastUsed}).`, end);
    }
  }
  return found;
}

function capFindings(tokens: readonly TokenSummary[], cap: number): Finding[] {
  const valid = new Map<string, number>();
  for (const { status, owner } of tokens) if (status === "Active" && owner !== undefined) valid.set(owner, (valid.get(owner) ?? 0) + 1);
  return [...valid]
    .filter(([, count]) => count >= cap - 1)
    .map(([owner, count]) => ({
      owner,
      severity: count >= cap ? ("medium" as const) : ("low" as const),
      rule: "owner-near-cap",
      message: `Owner ${quoted(owner)} holds ${count} of the ${cap} valid tokens allowed per user${count >= cap ? ": no new token can be created for them until one is revoked" : ""}.`,
    }));
}

/** Upstream text (an ID, an owner) in a sentence: quoted and cleaned, so it reads as data, never as part of the sentence. */
function quoted(text: string): string {
  return `«${sanitizeText(text, 80).replace(/[«»]/g, "'")}»`;
}

function ownCredentialText(token: TokenSummary, { capabilities, backend }: ReviewOptions): string {
  const owner = token.owner === undefined ? "its owner" : quoted(token.owner);
  return capabilities.hasPolicy
    ? `Token ${quoted(token.id)} is this server's own credential: an unrestricted User token, so it can read and change everything in the account, every token included. Keep its secret out of reach; anyone who can disable it stops this server.`
    : `Token ${quoted(token.id)} is this server's own credential: it carries all of ${owner}'s ${backend} permissions and counts toward ${owner}'s token cap. Anyone who can revoke it stops this server.`;
}
