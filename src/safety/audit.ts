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
  tokenId?: string;
  change?: unknown;
  outcome?: "applied" | "partially-applied" | "refused" | "failed";
  applied?: readonly string[];
  message?: string;
}

export function fileAuditJournal(path: string, redactor: Redactor, clock: () => number = Date.now): AuditJournal {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  return {
    record(entry) {
      const line = JSON.stringify(redactor.value({ time: new Date(clock()).toISOString(), ...entry }));
      appendFileSync(path, `${line}\n`, { mode: 0o600, flag: "a" });
    },
  };
}

export const noAuditJournal: AuditJournal = { record() {} };
