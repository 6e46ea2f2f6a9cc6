import { once } from "node:events";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { createSmsTransport, type SmsTransport } from "../../src/delivery/sms.ts";

interface Received {
  method: string | undefined;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A local stand-in for the operator's SMS adapter; `answer` decides each reply, or holds it forever. */
async function provider(answer: (res: http.ServerResponse) => void): Promise<{ url: string; received: Received[] }> {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      received.push({ method: req.method, headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
      answer(res);
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  cleanups.push(() => {
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/sms/send`, received };
}

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function transport(url: string, timeoutMs?: number): SmsTransport {
  const t = createSmsTransport({ url, token: "sms-token-123", timeoutMs });
  if (!t.configured) throw new Error(t.reason);
  return t;
}

const message = { messageId: "ntf_01JSMS", to: "+886912345678", text: "【好咖啡】您獲得點數 120 點，目前共有 1,340 點。", storeId: "sto_1" };

function reply(status: number, body = "") {
  return (res: http.ServerResponse) => res.writeHead(status, { "content-type": "text/plain" }).end(body);
}

describe("SMS adapter over HTTP", () => {
  it("POSTs the message as JSON with the bearer token; a 2xx is sent", async () => {
    const p = await provider(reply(202, "queued"));

    expect(await transport(p.url).send(message)).toEqual({ ok: true });

    expect(p.received).toHaveLength(1);
    const [request] = p.received;
    expect(request?.method).toBe("POST");
    expect(request?.headers.authorization).toBe("Bearer sms-token-123");
    expect(request?.headers["content-type"]).toBe("application/json");
    expect(JSON.parse(request?.body ?? "")).toEqual(message);
  });

  it("a 500 is retryable and names the status and the adapter's words", async () => {
    const p = await provider(reply(500, "provider down"));

    expect(await transport(p.url).send(message)).toEqual({
      ok: false,
      error: "SMS adapter answered 500: provider down",
      retryable: true,
    });
  });

  it("a 400 is final", async () => {
    const p = await provider(reply(400, "invalid number"));

    expect(await transport(p.url).send(message)).toEqual({
      ok: false,
      error: "SMS adapter answered 400: invalid number",
      retryable: false,
    });
  });

  it("429 and 408 mean later, not never", async () => {
    for (const status of [429, 408]) {
      const p = await provider(reply(status));
      expect(await transport(p.url).send(message)).toMatchObject({ ok: false, retryable: true });
    }
  });

  it("a redirect is not followed", async () => {
    const target = await provider(reply(200));
    const p = await provider((res) => res.writeHead(307, { location: target.url }).end());

    expect(await transport(p.url).send(message)).toMatchObject({ ok: false, retryable: false });
    expect(target.received).toHaveLength(0);
  });

  it("an adapter that never answers times out, retryable", async () => {
    const p = await provider(() => {});

    const started = Date.now();
    const result = await transport(p.url, 300).send(message);

    expect(Date.now() - started).toBeLessThan(3_000);
    expect(result).toEqual({ ok: false, error: "SMS adapter did not answer within 300 ms", retryable: true });
    expect(p.received).toHaveLength(1);
  });

  it("an adapter that stops halfway through its answer times out too", async () => {
    const p = await provider((res) => {
      res.writeHead(200, { "content-type": "text/plain" });
      res.write("partial");
    });

    expect(await transport(p.url, 300).send(message)).toMatchObject({ ok: false, retryable: true });
  });

  it("an unreachable adapter is retryable", async () => {
    const probe = http.createServer();
    probe.listen(0, "127.0.0.1");
    await once(probe, "listening");
    const { port } = probe.address() as AddressInfo;
    await new Promise<void>((resolve) => probe.close(() => resolve()));

    const result = await transport(`http://127.0.0.1:${port}/`).send(message);

    expect(result).toMatchObject({ ok: false, retryable: true });
    expect(result.ok === false && result.error).toMatch(/unreachable.*ECONNREFUSED/);
  });
});

describe("SMS configuration", () => {
  it("without a URL, SMS is not configured and says why", () => {
    expect(createSmsTransport({ token: "t" })).toEqual({ configured: false, reason: "POINTBOOK_SMS_URL is not set" });
  });

  it("without a token, no Authorization header is sent", async () => {
    const p = await provider(reply(200));
    const t = createSmsTransport({ url: p.url });
    if (!t.configured) throw new Error(t.reason);

    expect(await t.send(message)).toEqual({ ok: true });
    expect(p.received[0]?.headers.authorization).toBeUndefined();
  });

  it("refuses a URL that is not http(s)", () => {
    expect(() => createSmsTransport({ url: "ftp://sms.example" })).toThrow(/https:\/\//);
  });
});
