import type { ServerSettings } from "../config.js";
import { NETWORK_CHECKS } from "./network.js";
import { skipped, type DoctorCheck } from "./run.js";

/**
 * The checks on this machine: the audit journal and where file delivery writes secrets. Reading
 * the configuration already refused a path that is relative, a link, not private or not writable
 * (safety/private-path.ts), so these lines say what is in use.
 */
export function localChecks(settings: Pick<ServerSettings, "auditLog" | "secretDelivery" | "secretDir">): DoctorCheck[] {
  return [
    {
      name: "audit log",
      run: async () =>
        settings.auditLog
          ? { status: "ok", detail: `appends to ${settings.auditLog} (SN_MCP_AUDIT_LOG): private to this user and writable` }
          : { status: "ok", detail: "off (SN_MCP_AUDIT_LOG is not set): changes are not journalled" },
    },
    {
      name: "secret directory",
      run: async () =>
        settings.secretDelivery === "file"
          ? { status: "ok", detail: `file delivery writes new secrets to ${settings.secretDir} (SN_MCP_SECRET_DIR): private to this user and writable` }
          : { status: "ok", detail: `not used: secrets are delivered ${settings.secretDelivery} (SN_MCP_SECRET_DELIVERY)` },
    },
  ];
}

/** The clock-skew line from the server's `Date` (whole seconds), within `okMs` fine, within `usableMs` corrected. */
export function clockCheck(
  serverDate: () => { at: number; date: number } | undefined,
  limits: { okMs: number; usableMs?: number; effect: string },
): DoctorCheck {
  return {
    name: "clock skew",
    async run(failed) {
      const blocked = failed.find((name) => (NETWORK_CHECKS as readonly string[]).includes(name));
      if (blocked) return skipped(blocked);
      const seen = serverDate();
      if (!seen) return { status: "warn", detail: "the server sent no Date header: skew unknown" };
      const skew = seen.date - seen.at;
      // Date has whole seconds: a second either way is no skew.
      const seconds = Math.abs(skew) <= 1_000 ? 0 : Math.round(skew / 1000);
      const said = seconds === 0 ? "the server's clock agrees with this machine's" : `the server's clock is ${Math.abs(seconds)} s ${seconds > 0 ? "ahead of" : "behind"} this machine's`;
      if (Math.abs(skew) <= limits.okMs) return { status: "ok", detail: said };
      if (limits.usableMs !== undefined && Math.abs(skew) <= limits.usableMs) return { status: "warn", detail: `${said}: ${limits.effect}`, fix: "set this machine's clock (NTP)" };
      return { status: limits.usableMs === undefined ? "warn" : "fail", detail: `${said}: ${limits.effect}`, fix: "set this machine's clock (NTP)" };
    },
  };
}
