import { sanitizeText } from "./sanitize.js";

/**
 * The person or client a call was made for, when HTTP mode knows one: the OAuth access token's
 * subject, which the HTTP listener passes to the SDK as the request's authInfo. The audit journal
 * records it, each question to the person names it, and rate limits are kept per subject. Over
 * stdio and with the static bearer there is none.
 */

/** What the SDK passes a request handler (its `extra`), as far as the subject goes. */
export interface CallAuth {
  authInfo?: { extra?: Record<string, unknown> };
}

/** The call's subject, cleaned for showing (it is the authorization server's text), or undefined. */
export function subjectOf({ authInfo }: CallAuth): string | undefined {
  const subject = authInfo?.extra?.subject;
  return typeof subject === "string" && subject ? sanitizeText(subject, 200) : undefined;
}

/** A question to the person that names whom the change is for, when a subject is known. */
export function askedFor(question: string, subject: string | undefined): string {
  return subject === undefined ? question : `Requested by ${subject}.\n${question}`;
}
