/**
 * What a member-notification transport answers. A refusal is a value, so the delivery worker
 * records it (`failed`, or retried later when `retryable`) instead of catching exceptions.
 */
export type SendResult = { ok: true } | { ok: false; error: string; retryable: boolean };

/** The operator set no transport for this channel: messages are recorded `skipped`. */
export interface NotConfigured {
  configured: false;
  /** Which variable is missing, for the log line and the `skipped` record. */
  reason: string;
}

/** Errors are recorded with the message; a provider's long answer is cut to this. */
export const MAX_ERROR_LENGTH = 500;

export function shortError(text: string): string {
  const oneLine = text.replace(/\s+/g, " ").trim();
  return oneLine.length <= MAX_ERROR_LENGTH ? oneLine : `${oneLine.slice(0, MAX_ERROR_LENGTH - 1)}…`;
}
