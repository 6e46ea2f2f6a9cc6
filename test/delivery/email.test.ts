import { once } from "node:events";
import net from "node:net";
import type { AddressInfo } from "node:net";
import { simpleParser, type ParsedMail } from "mailparser";
import { SMTPServer, type SMTPServerOptions } from "smtp-server";
import { afterEach, describe, expect, it } from "vitest";
import { createEmailTransport, parseSmtpUrl, type EmailTransport } from "../../src/delivery/email.ts";
import { renderMessage } from "../../src/core/notifications/templates.ts";

/** A real SMTP server on a free local port; STARTTLS is off so plain auth works on loopback. */
async function smtpServer(options: SMTPServerOptions): Promise<{ port: number; close: () => Promise<void> }> {
  const server = new SMTPServer({ disabledCommands: ["STARTTLS"], allowInsecureAuth: true, logger: false, ...options });
  server.listen(0, "127.0.0.1");
  await once(server.server, "listening");
  const { port } = server.server.address() as AddressInfo;
  return { port, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function transport(url: string, options: { timeoutMs?: number; deadlineMs?: number } = {}): EmailTransport {
  const t = createEmailTransport({ smtpUrl: url, from: "Good Coffee <no-reply@shop.example>", ...options });
  if (!t.configured) throw new Error(t.reason);
  cleanups.push(() => t.close());
  return t;
}

const message = {
  to: "member@example.com",
  subject: "You earned 120 Points at Good Coffee",
  text: "You earned 120 Points at Good Coffee.\nYour balance is now 1,340 Points.",
  html: "<p>You earned <strong>120 Points</strong> at Good Coffee.</p>",
  messageId: "ntf_01JABCDEF",
};

describe("email transport over a real SMTP server", () => {
  it("delivers subject, text, html, from, to and Message-ID, logging in with the URL's credentials", async () => {
    const logins: { username?: string | null; password?: string | null }[] = [];
    const received: { envelopeTo: string[]; mail: ParsedMail }[] = [];
    const server = await smtpServer({
      onAuth(auth, _session, callback) {
        logins.push({ username: auth.username, password: auth.password });
        callback(null, { user: auth.username ?? undefined });
      },
      onData(stream, session, callback) {
        simpleParser(stream).then(
          (mail) => {
            received.push({ envelopeTo: session.envelope.rcptTo.map((r) => r.address), mail });
            callback();
          },
          (err: Error) => callback(err),
        );
      },
    });
    cleanups.push(server.close);

    // A password with characters that must be percent-encoded in the URL.
    const t = transport(`smtp://mailer:${encodeURIComponent("p@ss:w/rd")}@127.0.0.1:${server.port}`);
    expect(await t.send(message)).toEqual({ ok: true });

    expect(logins).toEqual([{ username: "mailer", password: "p@ss:w/rd" }]);
    expect(received).toHaveLength(1);
    const { envelopeTo, mail } = received[0]!;
    expect(envelopeTo).toEqual(["member@example.com"]);
    expect(mail.subject).toBe(message.subject);
    expect(mail.text?.trim()).toBe(message.text);
    expect(mail.html).toBe(message.html);
    expect(mail.from?.value).toEqual([{ name: "Good Coffee", address: "no-reply@shop.example" }]);
    const to = Array.isArray(mail.to) ? mail.to : [mail.to];
    expect(to.flatMap((a) => a?.value.map((v) => v.address))).toEqual(["member@example.com"]);
    expect(mail.messageId).toBe("<ntf_01JABCDEF@shop.example>");
    expect(mail.headers.get("auto-submitted")).toBe("auto-generated");
  });

  it("carries a Traditional Chinese message intact", async () => {
    const received: ParsedMail[] = [];
    const server = await smtpServer({
      authOptional: true,
      onData(stream, _session, callback) {
        simpleParser(stream).then((mail) => (received.push(mail), callback()), (err: Error) => callback(err));
      },
    });
    cleanups.push(server.close);
    const rendered = renderMessage({
      scenario: "pointsAdjusted",
      language: "zh-TW",
      timeZone: "Asia/Taipei",
      values: { points: 100, balance: 1_200, pointsName: { "zh-TW": "紅利點數" }, reason: "生日禮 <3", storeName: "好咖啡" },
    });

    const t = transport(`smtp://127.0.0.1:${server.port}`);
    expect(await t.send({ to: "member@example.com", messageId: "<ntf_2@pointbook.example>", ...rendered })).toEqual({ ok: true });

    expect(received[0]?.subject).toBe("【好咖啡】已為您增加紅利點數 100 點");
    expect(received[0]?.text?.trim()).toBe(rendered.text);
    expect(received[0]?.html).toContain("原因：生日禮 &lt;3");
    expect(received[0]?.messageId).toBe("<ntf_2@pointbook.example>");
  });

  it("a recipient refused with 550 is a permanent failure", async () => {
    const server = await smtpServer({
      authOptional: true,
      onRcptTo(_address, _session, callback) {
        callback(Object.assign(new Error("5.1.1 No such user"), { responseCode: 550 }));
      },
    });
    cleanups.push(server.close);

    const result = await transport(`smtp://127.0.0.1:${server.port}`).send(message);

    expect(result).toMatchObject({ ok: false, retryable: false });
    expect(result.ok === false && result.error).toMatch(/550/);
  });

  it("a recipient deferred with 451 is tried again later", async () => {
    const server = await smtpServer({
      authOptional: true,
      onRcptTo(_address, _session, callback) {
        callback(Object.assign(new Error("4.3.0 Try again later"), { responseCode: 451 }));
      },
    });
    cleanups.push(server.close);

    const result = await transport(`smtp://127.0.0.1:${server.port}`).send(message);

    expect(result).toMatchObject({ ok: false, retryable: true });
    expect(result.ok === false && result.error).toMatch(/451/);
  });

  it("a server that accepts the connection and never answers times out quickly, retryable", async () => {
    const sockets = new Set<net.Socket>();
    const silent = net.createServer((socket) => sockets.add(socket));
    silent.listen(0, "127.0.0.1");
    await once(silent, "listening");
    cleanups.push(() => {
      for (const s of sockets) s.destroy();
      return new Promise<void>((resolve) => silent.close(() => resolve()));
    });
    const { port } = silent.address() as AddressInfo;

    const started = Date.now();
    const result = await transport(`smtp://127.0.0.1:${port}`, { timeoutMs: 300 }).send(message);

    expect(Date.now() - started).toBeLessThan(3_000);
    expect(result).toMatchObject({ ok: false, retryable: true });
    expect(result.ok === false && result.error).toMatch(/ETIMEDOUT|timed out|Greeting/i);
  });

  it("a server that trickles its replies is cut off by the overall deadline", async () => {
    const sockets = new Set<net.Socket>();
    // Greets, then answers every command with one continuation line a little faster than the socket timeout.
    const trickle = net.createServer((socket) => {
      sockets.add(socket);
      socket.write("220 slow.example ESMTP\r\n");
      socket.on("data", () => {
        const timer = setInterval(() => socket.writable && socket.write("250-still thinking\r\n"), 100);
        socket.on("close", () => clearInterval(timer));
      });
    });
    trickle.listen(0, "127.0.0.1");
    await once(trickle, "listening");
    cleanups.push(() => {
      for (const s of sockets) s.destroy();
      return new Promise<void>((resolve) => trickle.close(() => resolve()));
    });
    const { port } = trickle.address() as AddressInfo;

    const started = Date.now();
    const result = await transport(`smtp://127.0.0.1:${port}`, { timeoutMs: 300, deadlineMs: 800 }).send(message);

    expect(Date.now() - started).toBeLessThan(3_000);
    expect(result).toEqual({ ok: false, error: "SMTP send timed out after 800 ms", retryable: true });
  });

  it("a closed port is a retryable failure", async () => {
    const probe = net.createServer();
    probe.listen(0, "127.0.0.1");
    await once(probe, "listening");
    const { port } = probe.address() as AddressInfo;
    await new Promise<void>((resolve) => probe.close(() => resolve()));

    const result = await transport(`smtp://127.0.0.1:${port}`, { timeoutMs: 1_000 }).send(message);

    expect(result).toMatchObject({ ok: false, retryable: true });
  });
});

describe("email configuration", () => {
  it("without an SMTP URL or a sender, email is not configured and says why", () => {
    expect(createEmailTransport({})).toEqual({ configured: false, reason: "POINTBOOK_SMTP_URL is not set" });
    expect(createEmailTransport({ smtpUrl: "smtp://localhost:25" })).toEqual({
      configured: false,
      reason: "POINTBOOK_MAIL_FROM is not set",
    });
  });

  it("reads host, port, TLS and credentials from the URL", () => {
    expect(parseSmtpUrl("smtps://apikey:s%40cret@smtp.example.com")).toEqual({
      host: "smtp.example.com",
      port: 465,
      secure: true,
      auth: { user: "apikey", pass: "s@cret" },
    });
    expect(parseSmtpUrl("smtp://relay.internal:2525")).toEqual({
      host: "relay.internal",
      port: 2525,
      secure: false,
      auth: undefined,
    });
    expect(parseSmtpUrl("smtp://[::1]").host).toBe("::1");
    expect(() => parseSmtpUrl("https://smtp.example.com")).toThrow(/smtp:\/\//);
  });
});
