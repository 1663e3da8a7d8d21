import { ConfigError } from "../config-error.js";
import type { BackendPlugin } from "../backends/plugin.js";
import { badConfiguration, reportText, runChecks, type DoctorReport } from "./run.js";

/**
 * `<command> doctor [--json]`: reads the configuration from the environment as the server would,
 * runs the backend's checks, and writes the report to stdout (a person at a terminal, or a script
 * with --json). Returns the exit code: 0 usable, 1 not, 2 a bad configuration.
 */
export async function runDoctor(backend: BackendPlugin, env: NodeJS.ProcessEnv, json: boolean): Promise<number> {
  let report: DoctorReport;
  let config;
  try {
    config = backend.readConfig(env, Date.now());
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    report = badConfiguration(error.message);
  }
  if (config) {
    const doctor = (await backend.doctor())(config, Date.now);
    try {
      report = await runChecks(doctor.checks);
    } finally {
      await doctor.close();
    }
  }
  process.stdout.write(json ? `${JSON.stringify({ ok: report!.exitCode === 0, exitCode: report!.exitCode, checks: report!.checks }, null, 2)}\n` : reportText(report!)); // stdout-ok: doctor reports to a terminal, never over MCP
  return report!.exitCode;
}
