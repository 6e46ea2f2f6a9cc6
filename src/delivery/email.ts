import nodemailer from "nodemailer";
import { shortError, type NotConfigured, type SendResult } from "./message-result.ts";

/**
 * Member notifications by email (SPEC §3 Member notifications) through the operator's SMTP server:
 * `POINTBOOK_SMTP_URL` (`smtp://user:pass@host:port`, STARTTLS when offered, or `smtps://`, TLS
 * from the start) and `POINTBOOK_MAIL_FROM`.
 */

export interface EmailMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
  /** The notification's id; the Message-ID is made from it, so a retried message keeps its Message-ID. */
  messageId: string;
}

export interface EmailTransport {
  configured: true;
  send(message: EmailMessage): Promise<SendResult>;
  /** Closes pooled connections; sends after this fail. */
  close(): void;
}

export interface EmailOptions {
  /** `POINTBOOK_SMTP_URL`; unset means email is not configured. */
  smtpUrl?: string | undefined;
  /** `POINTBOOK_MAIL_FROM`: `no-reply@shop.example` or `Shop <no-reply@shop.example>`. */
  from?: string | undefined;
  /** Connecting, waiting for the greeting and waiting for each reply; 5 000 ms unless given. */
  timeoutMs?: number;
  /** The whole send, however slowly a server trickles its replies; 30 000 ms unless given. */
  deadlineMs?: number;
}

const DEFAULT_TIMEOUT_MS = 5_000;
const DEFAULT_DEADLINE_MS = 30_000;

export function createEmailTransport(options: EmailOptions): EmailTransport | NotConfigured {
  if (!options.smtpUrl) return { configured: false, reason: "POINTBOOK_SMTP_URL is not set" };
  if (!options.from) return { configured: false, reason: "POINTBOOK_MAIL_FROM is not set" };
  const from = options.from;
  const server = parseSmtpUrl(options.smtpUrl);
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const deadlineMs = options.deadlineMs ?? DEFAULT_DEADLINE_MS;
  const transporter = nodemailer.createTransport({
    pool: true,
    maxConnections: 3,
    // The delivery worker retries with backoff; a second try inside the pool would only hide the failure.
    maxRequeues: 0,
    idleTimeout: 30_000,
    host: server.host,
    port: server.port,
    secure: server.secure,
    auth: server.auth,
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
    dnsTimeout: timeoutMs,
  });
  const idDomain = addressDomain(from) ?? "pointbook.invalid";

  return {
    configured: true,
    async send(message) {
      try {
        await transporter.sendMail({
          from,
          to: message.to,
          subject: message.subject,
          text: message.text,
          html: message.html,
          messageId: messageIdHeader(message.messageId, idDomain),
          // RFC 3834: an automatic message, so out-of-office replies are not sent back to it.
          headers: { "Auto-Submitted": "auto-generated" },
          signal: AbortSignal.timeout(deadlineMs),
        });
        return { ok: true };
      } catch (err) {
        return smtpFailure(err, deadlineMs);
      }
    },
    close() {
      transporter.close();
    },
  };
}

interface SmtpServer {
  host: string;
  port: number;
  secure: boolean;
  auth: { user: string; pass: string } | undefined;
}

/** `smtp://user:pass@host:port` or `smtps://…`; user and password percent-encoded as in any URL. */
export function parseSmtpUrl(raw: string): SmtpServer {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error("POINTBOOK_SMTP_URL is not a URL");
  }
  if (url.protocol !== "smtp:" && url.protocol !== "smtps:") {
    throw new Error("POINTBOOK_SMTP_URL must start with smtp:// or smtps://");
  }
  const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
  if (host === "") throw new Error("POINTBOOK_SMTP_URL names no host");
  const secure = url.protocol === "smtps:";
  const user = decodeURIComponent(url.username);
  return {
    host,
    port: url.port === "" ? (secure ? 465 : 587) : Number(url.port),
    secure,
    auth: user === "" ? undefined : { user, pass: decodeURIComponent(url.password) },
  };
}

/** A Message-ID is `<left@right>`; an id without a domain gets the sender's. */
function messageIdHeader(id: string, domain: string): string {
  const bare = id.trim().replace(/^<|>$/g, "");
  return bare.includes("@") ? `<${bare}>` : `<${bare}@${domain}>`;
}

function addressDomain(from: string): string | undefined {
  return /@([^\s<>@]+)>?\s*$/.exec(from)?.[1];
}

/** Codes nodemailer gives to failures that no retry mends: a bad message, address or setting. */
const PERMANENT_CODES = new Set(["EENVELOPE", "EMESSAGE", "ECONFIG", "ENOAUTH", "EMAXLIMIT", "EMAXRECIPIENTS"]);

interface SmtpError {
  code?: unknown;
  responseCode?: unknown;
  message?: unknown;
}

/**
 * A permanent SMTP refusal (5xx but 503, "bad sequence", which a new connection mends) is final;
 * a 4xx, a timeout or a dropped connection is tried again later.
 */
function smtpFailure(err: unknown, deadlineMs: number): SendResult & { ok: false } {
  const e: SmtpError = typeof err === "object" && err !== null ? err : {};
  const code = typeof e.code === "string" ? e.code : undefined;
  const message = typeof e.message === "string" ? e.message : String(err);
  if (code === "EABORT") return { ok: false, error: `SMTP send timed out after ${deadlineMs} ms`, retryable: true };
  const responseCode = typeof e.responseCode === "number" ? e.responseCode : undefined;
  const error = shortError(code ? `${code}: ${message}` : message);
  if (responseCode !== undefined) {
    const permanent = responseCode >= 500 && responseCode < 600 && responseCode !== 503;
    return { ok: false, error, retryable: !permanent };
  }
  return { ok: false, error, retryable: code === undefined || !PERMANENT_CODES.has(code) };
}
