import { BackendError, ToolError } from "../core/errors.js";

/**
 * `doctor`: checks a configuration against the real upstream, one line per check, in order, saying
 * what works and what to fix. Generic: each backend supplies its checks from its own folder; the
 * network and local checks are shared (network.ts, local.ts). Never prints a secret: a check's
 * text is built from the configuration's non-secret parts and from codes, never from error messages.
 */

export type CheckStatus = "ok" | "warn" | "fail" | "skip";

export interface CheckResult {
  status: CheckStatus;
  /** What was found. */
  detail: string;
  /** What to change, naming the variable, when the check did not pass. */
  fix?: string;
}

export interface DoctorCheck {
  name: string;
  /**
   * Runs the check; a thrown error fails it. `failed` lists the names of the checks that failed
   * before: a check that depends on one of them skips itself.
   */
  run(failed: readonly string[]): Promise<CheckResult>;
}

export interface DoctorReport {
  /** 0: the server can work; 1: it cannot; 2: the configuration is bad. */
  exitCode: 0 | 1 | 2;
  checks: ({ name: string } & CheckResult)[];
}

/** Runs the checks in order; a check that throws fails with what it says, never its stack. */
export async function runChecks(checks: readonly DoctorCheck[]): Promise<DoctorReport> {
  const results: DoctorReport["checks"] = [];
  for (const check of checks) {
    const failed = results.filter((result) => result.status === "fail").map((result) => result.name);
    let result: CheckResult;
    try {
      result = await check.run(failed);
    } catch (error) {
      result = { status: "fail", detail: error instanceof ToolError || error instanceof BackendError ? error.message : "the check failed unexpectedly" };
    }
    results.push({ name: check.name, ...result });
  }
  return { exitCode: results.some((result) => result.status === "fail") ? 1 : 0, checks: results };
}

/** A report of a configuration that could not be read: its one line, naming the variable. */
export function badConfiguration(message: string): DoctorReport {
  return { exitCode: 2, checks: [{ name: "configuration", status: "fail", detail: message, fix: "fix the variable it names" }] };
}

/** A skipped result, for a check whose precondition failed. */
export function skipped(after: string): CheckResult {
  return { status: "skip", detail: `not checked: ${after} failed` };
}

const MARK: Record<CheckStatus, string> = { ok: "ok  ", warn: "warn", fail: "FAIL", skip: "skip" };

/** The report for a terminal: one line per check, its fix on the next. */
export function reportText(report: DoctorReport): string {
  const width = Math.max(...report.checks.map((check) => check.name.length));
  const lines = report.checks.flatMap((check) => [
    `${MARK[check.status]}  ${check.name.padEnd(width)}  ${check.detail}`,
    ...(check.fix && check.status !== "ok" ? [`      ${" ".repeat(width)}  fix: ${check.fix}`] : []),
  ]);
  const verdict = report.exitCode === 0 ? "The server can work with this configuration." : report.exitCode === 2 ? "The configuration is not valid." : "The server cannot work with this configuration: fix the FAIL lines above.";
  return `${[...lines, "", verdict].join("\n")}\n`;
}
