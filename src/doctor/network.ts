import { lookup } from "node:dns/promises";
import { isIP, connect as connectTcp, type Socket } from "node:net";
import { connect as connectTls, type TLSSocket } from "node:tls";
import { networkCause, type CauseVariables } from "../core/network-cause.js";
import { skipped, type CheckResult, type DoctorCheck } from "./run.js";

/** Where the upstream is, as the configuration names it, and how to reach it. */
export interface Endpoint {
  /** The configured base URL (scheme, host, port). */
  baseUrl: string;
  tls?: { caPem?: string; insecure?: boolean };
  variables: CauseVariables;
  /** A path answered without credentials (any status), to see that HTTP works. */
  probePath: string;
  timeoutMs: number;
}

/** What the HTTP check saw, for later checks: the server's clock. */
export interface Observed {
  /** The reply's `Date`, epoch ms, and this machine's clock when it came. */
  serverDate?: { at: number; date: number };
}

export const NETWORK_CHECKS = ["DNS", "TCP connect", "TLS", "HTTP"] as const;

/** DNS, TCP connect, TLS and HTTP, each skipped once one before it failed. */
export function networkChecks(endpoint: Endpoint, observed: Observed, now: () => number): DoctorCheck[] {
  const url = new URL(endpoint.baseUrl);
  const host = url.hostname.replace(/^\[|\]$/g, "");
  const port = Number(url.port || (url.protocol === "https:" ? 443 : 80));
  let address = host;
  const failedCause = (error: unknown, what: string): CheckResult => {
    const cause = networkCause(error, endpoint.variables);
    return cause ? { status: "fail", detail: `${what}: ${cause.text}`, fix: cause.fix } : { status: "fail", detail: `${what}: it failed`, fix: `check ${endpoint.variables.url}` };
  };
  const after = (failed: readonly string[]) => failed.find((name) => (NETWORK_CHECKS as readonly string[]).includes(name));
  return [
    {
      name: "DNS",
      async run() {
        if (isIP(host)) return { status: "ok", detail: `${host} is an address: nothing to look up` };
        try {
          const addresses = await lookup(host, { all: true });
          address = addresses[0]!.address;
          return { status: "ok", detail: `${host} is ${addresses.map((entry) => entry.address).join(", ")}` };
        } catch (error) {
          return failedCause(error, `${host} does not resolve`);
        }
      },
    },
    {
      name: "TCP connect",
      async run(failed) {
        const blocked = after(failed);
        if (blocked) return skipped(blocked);
        try {
          await opened(connectTcp({ host: address, port }), "connect", endpoint.timeoutMs);
          return { status: "ok", detail: `connected to ${address} port ${port}` };
        } catch (error) {
          return failedCause(error, `no connection to ${address} port ${port}`);
        }
      },
    },
    {
      name: "TLS",
      async run(failed) {
        const blocked = after(failed);
        if (blocked) return skipped(blocked);
        if (url.protocol !== "https:") return { status: "ok", detail: `${endpoint.variables.url} is plain http (allowed for this machine only): no TLS` };
        const { caPem, insecure = false } = endpoint.tls ?? {};
        let socket: TLSSocket | undefined;
        try {
          socket = connectTls({ host: address, port, servername: isIP(host) ? undefined : host, ...(caPem ? { ca: caPem } : {}), rejectUnauthorized: !insecure });
          await opened(socket, "secureConnect", endpoint.timeoutMs);
          const certificate = socket.getPeerCertificate();
          const names = `for ${certificate.subject?.CN ?? "an unnamed subject"}, issued by ${certificate.issuer?.CN ?? "an unnamed issuer"}, valid until ${certificate.valid_to}`;
          if (insecure) {
            const verdict = socket.authorized ? "it would verify" : `it would not verify (${String(socket.authorizationError)})`;
            return { status: "warn", detail: `certificate ${names}: not verified (insecure switch on); ${verdict}`, fix: `set ${endpoint.variables.ca.join(" or ")} and turn the insecure switch off` };
          }
          return { status: "ok", detail: `certificate ${names}: chain and host name verified${caPem ? ` against ${endpoint.variables.ca[0]}` : ""}` };
        } catch (error) {
          return failedCause(error, "TLS handshake refused");
        } finally {
          socket?.destroy();
        }
      },
    },
    {
      name: "HTTP",
      async run(failed) {
        const blocked = after(failed);
        if (blocked) return skipped(blocked);
        const { Agent, request } = await import("undici");
        const { caPem, insecure = false } = endpoint.tls ?? {};
        const agent = new Agent({ connect: { ...(caPem ? { ca: caPem } : {}), rejectUnauthorized: !insecure } });
        try {
          const reply = await request(new URL(endpoint.probePath, url), { dispatcher: agent, signal: AbortSignal.timeout(endpoint.timeoutMs) });
          await reply.body.dump();
          const date = Date.parse(String(reply.headers.date ?? ""));
          if (Number.isFinite(date)) observed.serverDate = { at: now(), date };
          return { status: "ok", detail: `GET ${endpoint.probePath} without credentials answered HTTP ${reply.statusCode}` };
        } catch (error) {
          return failedCause(error, `GET ${endpoint.probePath} failed`);
        } finally {
          await agent.close();
        }
      },
    },
  ];
}

/** Waits for a socket's `event`, then ends it; rejects with its error or a timeout. */
function opened(socket: Socket, event: "connect" | "secureConnect", timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.setTimeout(timeoutMs, () => socket.destroy(Object.assign(new Error("timed out"), { code: "ETIMEDOUT" })));
    socket.once(event, () => {
      if (event === "connect") socket.destroy();
      resolve();
    });
    socket.once("error", reject);
  });
}
