import { spawn } from "node:child_process";
import { fileURLToPath, pathToFileURL } from "node:url";
import { closedPort } from "./support/closed-port.js";
import { afterEach, describe, expect, it } from "vitest";
import { startLocalSolarUser, type LocalSolarUser } from "../src/simulators/solarnetwork/solaruser.js";
import { startVmsSimulator, type VmsSimulator } from "../src/simulators/vast/server.js";
import { CLI } from "./support/binary.js";

/**
 * `doctor` as the operator runs it: the built dist/cli.js, a real process, against the simulators
 * (healthy, a refused credential, nothing listening, an unknown host). Only 127.0.0.1 and
 * localhost are ever reached: unknown hosts fail in a DNS stub preloaded into the process.
 */

const NO_DNS = pathToFileURL(fileURLToPath(new URL("./support/no-dns.mjs", import.meta.url))).href;
const VAST_CHECKS = ["configuration", "DNS", "TCP connect", "TLS", "HTTP", "credential", "identity", "clock skew", "API version", "token cap and lifetime", "audit log", "secret directory"];
const SN_CHECKS = ["configuration", "DNS", "TCP connect", "TLS", "HTTP", "credential", "identity", "clock skew", "audit log", "secret directory"];

let vms: VmsSimulator | undefined;
let solarUser: LocalSolarUser | undefined;
afterEach(async () => {
  await vms?.close();
  await solarUser?.close();
  vms = undefined;
  solarUser = undefined;
});

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function doctor(args: string[], env: Record<string, string>): Promise<Run> {
  const child = spawn(process.execPath, ["--import", NO_DNS, CLI, ...args], { env: { PATH: process.env.PATH ?? "", ...env }, stdio: ["ignore", "pipe", "pipe"] });
  const run = { stdout: "", stderr: "" };
  child.stdout.on("data", (chunk: Buffer) => (run.stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (run.stderr += chunk.toString()));
  return new Promise((resolve) => child.once("close", (code) => resolve({ code, ...run })));
}

interface JsonReport {
  ok: boolean;
  exitCode: number;
  checks: { name: string; status: string; detail: string; fix?: string }[];
}
const report = (run: Run) => JSON.parse(run.stdout) as JsonReport;
const statusOf = (run: Run) => Object.fromEntries(report(run).checks.map((check) => [check.name, check.status]));

describe("sn-tokens-mcp vast doctor", () => {
  it("passes every check against a healthy VMS, in the issue's order, and names no secret", async () => {
    vms = await startVmsSimulator();
    const own = vms.seedToken({ owner: "admin", name: "mcp server", expiry: null });
    const run = await doctor(["vast", "doctor"], { VAST_URL: vms.url, VAST_API_TOKEN: own.token });
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const lines = run.stdout.split("\n").filter((line) => /^(ok|warn|FAIL|skip) /.test(line));
    expect(lines.map((line) => line.slice(6).trim().split(/\s{2,}/)[0])).toEqual(VAST_CHECKS);
    expect(run.stdout).toMatch(/credential +VMS accepted API token \w{8} \(VAST_API_TOKEN\)/);
    expect(run.stdout).toMatch(/identity +user admin \(SUPER_ADMIN\), tenant none; sees only its own tokens/);
    expect(run.stdout).toMatch(/token cap and lifetime +cap 5 valid tokens per user \(vms\/1\/\); longest and default lifetime 180D/);
    expect(run.stdout).toContain("The server can work with this configuration.");
    expect(run.stdout + run.stderr).not.toContain(own.token.split(".")[1]);
  });

  it("--json gives the same checks for scripts", async () => {
    vms = await startVmsSimulator();
    const own = vms.seedToken({ owner: "admin" });
    const run = await doctor(["vast", "doctor", "--json"], { VAST_URL: vms.url, VAST_API_TOKEN: own.token });
    expect(run.code).toBe(0);
    expect(report(run)).toMatchObject({ ok: true, exitCode: 0 });
    expect(report(run).checks.map((check) => check.name)).toEqual(VAST_CHECKS);
  });

  it("fails the credential, naming VAST_API_TOKEN, when VMS refuses it, and prints neither secret", async () => {
    vms = await startVmsSimulator();
    const own = vms.seedToken({ owner: "admin" });
    const wrong = `${own.token.split(".")[0]}.${"x".repeat(32)}`;
    const run = await doctor(["vast", "doctor", "--json"], { VAST_URL: vms.url, VAST_API_TOKEN: wrong });
    expect(run.code).toBe(1);
    const credential = report(run).checks.find((check) => check.name === "credential");
    expect(credential).toMatchObject({ status: "fail", fix: expect.stringMatching(/VAST_API_TOKEN/) });
    expect(statusOf(run)).toMatchObject({ HTTP: "ok", identity: "skip", "token cap and lifetime": "skip" });
    expect(run.stdout + run.stderr).not.toContain("x".repeat(32));
    expect(run.stdout + run.stderr).not.toContain(own.token.split(".")[1]);
  });

  it("fails the TCP connect when nothing listens, naming VAST_URL, and skips what depends on it", async () => {
    const port = await closedPort();
    const run = await doctor(["vast", "doctor", "--json"], { VAST_URL: `http://127.0.0.1:${port}`, VAST_API_TOKEN: "JhxND7ci.AWrRmHXRtbcjUSCANl9KLrxRT6sMqesu" });
    expect(run.code).toBe(1);
    const tcp = report(run).checks.find((check) => check.name === "TCP connect");
    expect(tcp).toMatchObject({ status: "fail", detail: expect.stringContaining("(ECONNREFUSED)"), fix: expect.stringContaining("VAST_URL") });
    expect(statusOf(run)).toMatchObject({ DNS: "ok", TLS: "skip", HTTP: "skip", credential: "skip" });
    expect(run.stdout).not.toContain("AWrRmHXRtbcjUSCANl9KLrxRT6sMqesu");
  });

  it("fails DNS for an unknown host, naming VAST_URL", async () => {
    const run = await doctor(["vast", "doctor"], { VAST_URL: "https://vms.invalid", VAST_API_TOKEN: "JhxND7ci.AWrRmHXRtbcjUSCANl9KLrxRT6sMqesu" });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/FAIL +DNS +vms\.invalid does not resolve: the host name does not resolve \(ENOTFOUND\)\n +fix: check the host name in VAST_URL/);
    expect(run.stdout).toMatch(/skip +TCP connect/);
  });

  it("exits 2 on a bad configuration, naming the variable", async () => {
    const run = await doctor(["vast", "doctor"], { VAST_API_TOKEN: "JhxND7ci.AWrRmHXRtbcjUSCANl9KLrxRT6sMqesu" });
    expect(run.code).toBe(2);
    expect(run.stdout).toMatch(/FAIL +configuration +VAST_URL/);
    expect(run.stdout).toContain("The configuration is not valid.");
  });
});

describe("sn-tokens-mcp doctor", () => {
  it("passes every check against a healthy SolarNetwork, and names no secret", async () => {
    solarUser = await startLocalSolarUser();
    const own = solarUser.seedToken({ type: "User" });
    const run = await doctor(["doctor"], { SN_URL: solarUser.url, SN_TOKEN: own.id, SN_TOKEN_SECRET: own.secret });
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const lines = run.stdout.split("\n").filter((line) => /^(ok|warn|FAIL|skip) /.test(line));
    expect(lines.map((line) => line.slice(6).trim().split(/\s{2,}/)[0])).toEqual(SN_CHECKS);
    expect(run.stdout).toMatch(/identity +User token of user \d+, unrestricted/);
    expect(run.stdout + run.stderr).not.toContain(own.secret);
  });

  it("fails the identity of a restricted User token", async () => {
    solarUser = await startLocalSolarUser();
    const own = solarUser.seedToken({ type: "User", policy: { apiPaths: ["/user/auth-tokens/**"] } });
    const run = await doctor(["doctor", "--json"], { SN_URL: solarUser.url, SN_TOKEN: own.id, SN_TOKEN_SECRET: own.secret });
    expect(run.code).toBe(1);
    expect(report(run).checks.find((check) => check.name === "identity")).toMatchObject({ status: "fail", fix: expect.stringMatching(/unrestricted User token .*SN_TOKEN/) });
  });

  it("fails the credential when SolarNetwork refuses the secret, and prints neither secret", async () => {
    solarUser = await startLocalSolarUser();
    const own = solarUser.seedToken({ type: "User" });
    const run = await doctor(["doctor", "--json"], { SN_URL: solarUser.url, SN_TOKEN: own.id, SN_TOKEN_SECRET: "not-the-secret-at-all" });
    expect(run.code).toBe(1);
    expect(report(run).checks.find((check) => check.name === "credential")).toMatchObject({ status: "fail", fix: expect.stringMatching(/SN_TOKEN/) });
    expect(run.stdout + run.stderr).not.toContain("not-the-secret-at-all");
    expect(run.stdout + run.stderr).not.toContain(own.secret);
  });

  it("fails the TCP connect when nothing listens", async () => {
    const port = await closedPort();
    const run = await doctor(["doctor", "--json"], { SN_URL: `http://127.0.0.1:${port}`, SN_TOKEN: "abc", SN_TOKEN_SECRET: "def" });
    expect(run.code).toBe(1);
    expect(report(run).checks.find((check) => check.name === "TCP connect")).toMatchObject({ status: "fail", detail: expect.stringContaining("(ECONNREFUSED)"), fix: expect.stringContaining("SN_URL") });
  });

  it("fails DNS for an unknown host", async () => {
    const run = await doctor(["doctor", "--json"], { SN_URL: "https://solarnetwork.invalid", SN_TOKEN: "abc", SN_TOKEN_SECRET: "def" });
    expect(run.code).toBe(1);
    expect(report(run).checks.find((check) => check.name === "DNS")).toMatchObject({ status: "fail", detail: expect.stringContaining("(ENOTFOUND)"), fix: expect.stringContaining("SN_URL") });
  });
});
