import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { VastTokenApi } from "../src/backends/vast/api.js";
import { VastClient } from "../src/backends/vast/client.js";
import type { VastTlsConfig } from "../src/backends/vast/config.js";
import { startVmsSimulator, type VmsSimulator } from "../src/simulators/vast/server.js";

/** A self-signed certificate for 127.0.0.1, made at test time; skipped where openssl is missing. */
function selfSigned(): { key: string; cert: string } | undefined {
  const dir = mkdtempSync(join(tmpdir(), "vast-tls-"));
  try {
    execFileSync(
      "openssl",
      ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", join(dir, "key.pem"), "-out", join(dir, "cert.pem"),
        "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
      { stdio: "ignore" },
    );
    return { key: readFileSync(join(dir, "key.pem"), "utf8"), cert: readFileSync(join(dir, "cert.pem"), "utf8") };
  } catch {
    return undefined;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const pair = selfSigned();

describe.skipIf(!pair)("TLS", () => {
  let sim: VmsSimulator;
  let token: string;
  beforeAll(async () => {
    sim = await startVmsSimulator({ tls: pair });
    token = sim.seedToken({ owner: "admin" }).token;
  });
  afterAll(() => sim.close());

  async function list(tls: VastTlsConfig) {
    const [tokenId, secret] = token.split(".") as [string, string];
    const client = new VastClient({ baseUrl: sim.url, apiVersion: "latest", credential: { kind: "api-token", tokenId, secret }, tls, timeoutMs: 5000, maxRetries: 0 });
    try {
      return await new VastTokenApi(client).list();
    } finally {
      await client.close();
    }
  }

  it("refuses a self-signed certificate by default, naming VAST_CA_FILE", async () => {
    await expect(list({ insecure: false })).rejects.toMatchObject({ kind: "network", message: expect.stringMatching(/VAST_CA_FILE/) });
  });

  it("trusts the certificate given as a CA bundle", async () => {
    expect(await list({ insecure: false, caPem: pair?.cert })).toHaveLength(1);
  });

  it("accepts anything when insecure", async () => {
    expect(await list({ insecure: true })).toHaveLength(1);
  });
});
