/**
 * MCP progress (notifications/progress) for a tool call whose client asked for it with a
 * progressToken: long calls say how far they are. Without a token, reporting does nothing.
 */

/** Reports that `done` of `total` steps are finished; each report must be further than the last. */
export type Progress = (done: number, total: number, message: string) => void;

/** What the SDK hands a request handler, as far as progress goes (structural: no SDK import here). */
export interface ProgressOrigin {
  _meta?: { progressToken?: string | number };
  sendNotification(notification: {
    method: "notifications/progress";
    params: { progressToken: string | number; progress: number; total: number; message: string };
  }): Promise<void>;
}

/** A call's progress reporter: messages pass `clean` (the redactor) first; a report that cannot be sent is dropped. */
export function progressFor(origin: ProgressOrigin, clean: (text: string) => string, onFailure: (error: unknown) => void): Progress {
  const progressToken = origin._meta?.progressToken;
  if (progressToken === undefined) return () => {};
  let last = 0;
  return (done, total, message) => {
    // MCP: progress must increase with each notification.
    if (done <= last) return;
    last = done;
    const params = { progressToken, progress: done, total, message: clean(message) };
    origin.sendNotification({ method: "notifications/progress", params }).catch(onFailure);
  };
}

/** Tokens a listing reads at least before it reports progress. */
export const LONG_LISTING = 200;
