import http from "node:http";
import https from "node:https";
import type { LookupFunction } from "node:net";
import { performance } from "node:perf_hooks";
import type { OutgoingEvent } from "../../core/outgoing/events.ts";
import { checkTarget, hostOf, type LookupAll } from "./address-guard.ts";
import { signHeaders } from "./sign.ts";

export const DEFAULT_TIMEOUT_MS = 10_000;
/** How much of a receiver's answer is read before it is dropped: nothing in it is used. */
export const MAX_RESPONSE_BYTES = 4096;
export const USER_AGENT = "Pointbook-Webhooks";

export interface WebhookSendInput {
  url: string;
  event: OutgoingEvent;
  /** The endpoint's current secret, then its previous one while that still signs. */
  secrets: readonly string[];
  /** For the whole attempt: resolving, connecting, sending and the answer's status. */
  timeoutMs?: number;
  allowPrivate: boolean;
  /** The signing time (`webhook-timestamp`). */
  now?: Date;
  /** Injected name resolution, for tests. */
  lookup?: LookupAll;
}

export type WebhookSendResult =
  | { ok: true; status: number; ms: number }
  | { ok: false; status?: number; error: string; ms: number };

/**
 * One delivery attempt of one event to one endpoint (SPEC §3 Webhooks). Success is a 2xx within
 * the timeout; redirects are not followed. Never throws: every failure is a result the delivery
 * worker records and retries.
 */
export async function sendWebhook(input: WebhookSendInput): Promise<WebhookSendResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const timeoutMs = input.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  try {
    const deadline = timer(timeoutMs);
    try {
      const target = await Promise.race([
        checkTarget(input.url, { allowPrivate: input.allowPrivate, lookup: input.lookup }),
        deadline.expired,
      ]);
      if (target === TIMED_OUT) return { ok: false, error: timeoutMessage(timeoutMs), ms: elapsed() };
      if (!target.ok) return { ok: false, error: target.reason, ms: elapsed() };

      // Serialized once: the signature covers exactly the bytes that go on the wire.
      const body = Buffer.from(JSON.stringify(input.event), "utf8");
      const headers = {
        ...signHeaders({ eventId: input.event.id, timestamp: input.now ?? new Date(), body, secrets: input.secrets }),
        "content-type": "application/json",
        "content-length": String(body.length),
        "user-agent": USER_AGENT,
        "Pointbook-Event-Type": input.event.type,
      };
      const answer = await post(new URL(input.url), body, headers, target, deadline, timeoutMs);
      const ms = elapsed();
      if ("error" in answer) return { ok: false, error: answer.error, ms };
      if (answer.status >= 200 && answer.status < 300) return { ok: true, status: answer.status, ms };
      const error = answer.status >= 300 && answer.status < 400
        ? `HTTP ${answer.status}: redirects are not followed`
        : `HTTP ${answer.status}`;
      return { ok: false, status: answer.status, error, ms };
    } finally {
      deadline.clear();
    }
  } catch (error) {
    return { ok: false, error: describeError(error, timeoutMs), ms: elapsed() };
  }
}

const TIMED_OUT = Symbol("timed out");

interface Deadline {
  expired: Promise<typeof TIMED_OUT>;
  signal: AbortSignal;
  clear(): void;
}

function timer(ms: number): Deadline {
  const controller = new AbortController();
  let handle: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<typeof TIMED_OUT>((resolve) => {
    handle = setTimeout(() => {
      controller.abort();
      resolve(TIMED_OUT);
    }, ms);
  });
  return { expired, signal: controller.signal, clear: () => clearTimeout(handle) };
}

type Answer = { status: number } | { error: string };

/**
 * POSTs to the address the guard checked, never resolving the name again, while the Host header,
 * TLS SNI and certificate check still use the URL's name.
 */
function post(
  url: URL,
  body: Buffer,
  headers: Record<string, string>,
  target: { address: string; family: 4 | 6 },
  deadline: Deadline,
  timeoutMs: number,
): Promise<Answer> {
  return new Promise<Answer>((resolve) => {
    const pinned: LookupFunction = (_hostname, options, callback) => {
      if (options.all) callback(null, [{ address: target.address, family: target.family }]);
      else callback(null, target.address, target.family);
    };
    const client = url.protocol === "https:" ? https : http;
    let settled = false;
    let answered: number | undefined;
    const finish = (answer: Answer) => {
      if (settled) return;
      settled = true;
      resolve(answer);
    };
    const request = client.request(
      {
        method: "POST",
        hostname: hostOf(url),
        port: url.port === "" ? undefined : Number(url.port),
        path: `${url.pathname}${url.search}`,
        headers,
        lookup: pinned,
        // A fresh connection per attempt: a pooled socket could lead to an address checked earlier.
        agent: false,
        signal: deadline.signal,
      },
      (response) => {
        const status = response.statusCode ?? 0;
        answered = status;
        let read = 0;
        const done = () => {
          response.destroy();
          finish({ status });
        };
        response.on("data", (chunk: Buffer) => {
          read += chunk.length;
          if (read >= MAX_RESPONSE_BYTES) done();
        });
        response.on("end", done);
        response.on("error", done);
        // The status was in time; a body still trickling in when the deadline comes does not undo it.
        deadline.signal.addEventListener("abort", done, { once: true });
      },
    );
    request.on("error", (error) =>
      finish(answered !== undefined ? { status: answered } : { error: describeError(error, timeoutMs, deadline.signal.aborted) }),
    );
    request.end(body);
  });
}

function describeError(error: unknown, timeoutMs: number, timedOut = false): string {
  if (timedOut || (error instanceof Error && error.name === "AbortError")) return timeoutMessage(timeoutMs);
  const code = (error as { code?: unknown } | null)?.code;
  switch (code) {
    case "ECONNREFUSED": return "connection refused";
    case "ECONNRESET": return "connection reset by the receiver";
    case "EHOSTUNREACH": case "ENETUNREACH": return "host unreachable";
    case "ETIMEDOUT": return "connection timed out";
  }
  const message = error instanceof Error ? error.message : String(error);
  return typeof code === "string" ? `${code}: ${message}` : message;
}

function timeoutMessage(ms: number): string {
  return `timed out after ${ms} ms`;
}
