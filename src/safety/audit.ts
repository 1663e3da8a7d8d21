import { appendFileSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";
import type { Redactor } from "./redact.js";

/**
 * An append-only JSON-lines journal of mutating calls. Each call writes a line before it acts and
 * one after, synchronously, so a crash mid-call still leaves the attempt on record. Every line names
 * the backend, so journals of a SolarNetwork and a VAST server can be read together.
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

/** `backend`: the backend's stable ID, e.g. "vast". */
export function fileAuditJournal(path: string, backend: string, redactor: Redactor, clock: () => number = Date.now): AuditJournal {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  return {
    record(entry) {
      const line = JSON.stringify(redactor.value({ time: new Date(clock()).toISOString(), backend, ...entry }));
      appendFileSync(path, `${line}\n`, { mode: 0o600, flag: "a" });
    },
  };
}

export const noAuditJournal: AuditJournal = { record() {} };
