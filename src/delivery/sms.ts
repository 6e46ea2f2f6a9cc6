import { shortError, type NotConfigured, type SendResult } from "./message-result.ts";

/**
 * Member notifications by SMS (SPEC §3 Member notifications): Pointbook POSTs
 * `{messageId, to, text, storeId}` as JSON with `Authorization: Bearer <POINTBOOK_SMS_TOKEN>` to
 * `POINTBOOK_SMS_URL`, an adapter the operator runs in front of any SMS provider.
 */

export interface SmsMessage {
  /** The notification's id; the same on every retry, so the adapter can drop a duplicate. */
  messageId: string;
  to: string;
  text: string;
  storeId: string;
}

export interface SmsTransport {
  configured: true;
  send(message: SmsMessage): Promise<SendResult>;
}

export interface SmsOptions {
  /** `POINTBOOK_SMS_URL`; unset means SMS is not configured. */
  url?: string | undefined;
  /** `POINTBOOK_SMS_TOKEN`; without one no Authorization header is sent. */
  token?: string | undefined;
  /** The whole request, answer included; 10 000 ms unless given. */
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 10_000;

export function createSmsTransport(options: SmsOptions): SmsTransport | NotConfigured {
  if (!options.url) return { configured: false, reason: "POINTBOOK_SMS_URL is not set" };
  const url = parseSmsUrl(options.url);
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const headers: Record<string, string> = { "content-type": "application/json", accept: "application/json" };
  if (options.token) headers.authorization = `Bearer ${options.token}`;

  return {
    configured: true,
    async send(message) {
      const body = JSON.stringify({
        messageId: message.messageId,
        to: message.to,
        text: message.text,
        storeId: message.storeId,
      });
      try {
        const response = await fetch(url, {
          method: "POST",
          headers,
          body,
          // A redirect would carry the message somewhere the operator did not name.
          redirect: "manual",
          signal: AbortSignal.timeout(timeoutMs),
        });
        const answer = await response.text();
        if (response.status >= 200 && response.status < 300) return { ok: true };
        return {
          ok: false,
          error: shortError(`SMS adapter answered ${response.status}${answer ? `: ${answer}` : ""}`),
          retryable: retryableStatus(response.status),
        };
      } catch (err) {
        return { ok: false, error: shortError(requestError(err, timeoutMs)), retryable: true };
      }
    },
  };
}

/** 5xx is the adapter's trouble and passes; other 4xx say this message will never be taken, but 408 and 429 mean "later". */
function retryableStatus(status: number): boolean {
  return status >= 500 || status === 408 || status === 429;
}

function parseSmsUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error("POINTBOOK_SMS_URL is not a URL");
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new Error("POINTBOOK_SMS_URL must start with https:// or http://");
  }
  return url;
}

function requestError(err: unknown, timeoutMs: number): string {
  if (err instanceof Error && (err.name === "TimeoutError" || err.name === "AbortError")) {
    return `SMS adapter did not answer within ${timeoutMs} ms`;
  }
  // fetch reports a refused connection as "fetch failed" with the reason in `cause`.
  const cause = err instanceof Error && err.cause instanceof Error ? `: ${err.cause.message}` : "";
  return `SMS adapter unreachable: ${err instanceof Error ? err.message : String(err)}${cause}`;
}
