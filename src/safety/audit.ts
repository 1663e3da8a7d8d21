import { appendFileSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";
import type { Redactor } from "./redact.js";

/**
 * An append-only JSON-lines journal of mutating calls. Each call writes a line before it acts and
 * one after, synchronously, so a crash mid-call still leaves the attempt on record.
 */
export interface AuditJournal {
  record(entry: AuditEntry): void;
}

export interface AuditEntry {
  phase: "attempt" | "outcome";
  callId: string;
  tool: string;
  /** HTTP mode with OAuth: the access token's subject, whom the call was made for. */
  subject?: string;
  tokenId?: string;
  change?: unknown;
  outcome?: "applied" | "partially-applied" | "refused" | "failed";
  applied?: readonly string[];
  message?: string;
}

/** `backend`: which token system the lines are about (one per process), e.g. `solarnetwork`. */
export function fileAuditJournal(path: string, redactor: Redactor, clock: () => number = Date.now, backend?: string): AuditJournal {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  return {
    record(entry) {
      const line = JSON.stringify(redactor.value({ time: new Date(clock()).toISOString(), ...(backend ? { backend } : {}), ...entry }));
      appendFileSync(path, `${line}\n`, { mode: 0o600, flag: "a" });
    },
  };
}

export const noAuditJournal: AuditJournal = { record() {} };
