import { once } from "node:events";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { simpleParser, type ParsedMail } from "mailparser";
import { SMTPServer } from "smtp-server";
import { createEmailTransport, type EmailTransport } from "../../src/delivery/email.ts";
import { createSmsTransport, type SmsTransport } from "../../src/delivery/sms.ts";

export interface Inbox {
  port: number;
  mails: ParsedMail[];
  /** Mails to one address (the shared PostgreSQL may hold other tests' messages too). */
  to(address: string): ParsedMail[];
  close(): Promise<void>;
}

/** A real SMTP server on a free local port; `refuse` answers every recipient with a 550. */
export async function smtpInbox(options: { refuse?: boolean } = {}): Promise<Inbox> {
  const mails: ParsedMail[] = [];
  const server = new SMTPServer({
    disabledCommands: ["STARTTLS", "AUTH"],
    logger: false,
    onRcptTo(address, _session, callback) {
      if (options.refuse) {
        const err = Object.assign(new Error("Mailbox unavailable"), { responseCode: 550 });
        callback(err);
        return;
      }
      callback();
    },
    onData(stream, _session, callback) {
      simpleParser(stream).then((mail) => {
        mails.push(mail);
        callback();
      }, (err: Error) => callback(err));
    },
  });
  server.listen(0, "127.0.0.1");
  await once(server.server, "listening");
  const { port } = server.server.address() as AddressInfo;
  return {
    port,
    mails,
    to: (address) => mails.filter((m) => (Array.isArray(m.to) ? m.to : [m.to]).some((a) => a?.value.some((v) => v.address === address))),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export interface SmsInbox {
  url: string;
  received: Array<{ authorization: string | undefined; body: { messageId: string; to: string; text: string; storeId: string } }>;
  close(): Promise<void>;
}

/** A local HTTP SMS adapter that takes every message. */
export async function smsInbox(): Promise<SmsInbox> {
  const received: SmsInbox["received"] = [];
  const server = http.createServer((req, res) => {
    let data = "";
    req.on("data", (chunk: Buffer) => (data += chunk.toString("utf8")));
    req.on("end", () => {
      received.push({ authorization: req.headers.authorization, body: JSON.parse(data) as SmsInbox["received"][number]["body"] });
      res.writeHead(202, { "content-type": "application/json" }).end("{}");
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/sms`, received, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

export function emailTransport(port: number): EmailTransport {
  const t = createEmailTransport({ smtpUrl: `smtp://127.0.0.1:${port}`, from: "Good Coffee <no-reply@shop.example>", timeoutMs: 2_000 });
  if (!t.configured) throw new Error(t.reason);
  return t;
}

export function smsTransport(url: string): SmsTransport {
  const t = createSmsTransport({ url, token: "sms-token" });
  if (!t.configured) throw new Error(t.reason);
  return t;
}

/** A local port nothing listens on: an SMTP server that is down. */
export async function closedPort(): Promise<number> {
  const probe = http.createServer();
  probe.listen(0, "127.0.0.1");
  await once(probe, "listening");
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}
