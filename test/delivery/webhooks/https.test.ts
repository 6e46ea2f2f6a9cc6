import { execFile, execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import https from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import type { TLSSocket } from "node:tls";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/**
 * Over TLS the sender connects to the checked address yet must still present the URL's name (SNI)
 * and check the certificate against it. The certificate is made here with openssl and trusted
 * through NODE_EXTRA_CA_CERTS, which Node reads only at start-up: hence the child process.
 */
const hasOpenssl = (() => {
  try {
    execFileSync("openssl", ["version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();

const run = promisify(execFile);
const sendModule = pathToFileURL(path.resolve("src/delivery/webhooks/send.ts")).href;

describe.skipIf(!hasOpenssl)("sendWebhook over https", () => {
  let dir: string;
  let server: https.Server;
  let port: number;
  const seen: { servername: string | false | null; host: string | undefined }[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), "pointbook-tls-"));
    execFileSync("openssl", [
      "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
      "-keyout", path.join(dir, "key.pem"), "-out", path.join(dir, "cert.pem"),
      "-subj", "/CN=hooks.example.test", "-addext", "subjectAltName=DNS:hooks.example.test",
    ], { stdio: "ignore" });
    server = https.createServer(
      { key: readFileSync(path.join(dir, "key.pem")), cert: readFileSync(path.join(dir, "cert.pem")) },
      (req, res) => {
        seen.push({ servername: (req.socket as TLSSocket).servername, host: req.headers.host });
        req.resume();
        req.on("end", () => res.writeHead(200).end());
      },
    );
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("sends SNI and checks the certificate for the URL's name while connecting to the checked address", async () => {
    const script = path.join(dir, "send.mts");
    writeFileSync(script, `
      import { sendWebhook } from ${JSON.stringify(sendModule)};
      const lookup = async () => [{ address: "127.0.0.1", family: 4 }];
      const event = { id: "evt_tls", type: "member.tier_changed", storeId: "st_1", memberId: "mem_1",
        occurredAt: "2026-12-01T10:00:00.000Z", data: { from: null, to: "gold", by: "points" } };
      const secrets = ["whsec_" + Buffer.alloc(32, 1).toString("base64")];
      const good = await sendWebhook({ url: "https://hooks.example.test:${port}/h", event, secrets, allowPrivate: true, lookup, timeoutMs: 5000 });
      const wrongName = await sendWebhook({ url: "https://other.example.test:${port}/h", event, secrets, allowPrivate: true, lookup, timeoutMs: 5000 });
      console.log(JSON.stringify({ good, wrongName }));
    `);
    const { stdout } = await run(process.execPath, ["--import", "tsx", script], {
      cwd: process.cwd(),
      env: { ...process.env, NODE_EXTRA_CA_CERTS: path.join(dir, "cert.pem") },
      timeout: 30_000,
    });
    const { good, wrongName } = JSON.parse(stdout.trim().split("\n").pop()!);
    expect(good).toMatchObject({ ok: true, status: 200 });
    expect(wrongName).toMatchObject({ ok: false });
    expect(wrongName.error).toMatch(/ERR_TLS_CERT_ALTNAME_INVALID|altnames/i);
    expect(seen[0]).toEqual({ servername: "hooks.example.test", host: `hooks.example.test:${port}` });
    // The wrong name never got past the handshake.
    expect(seen).toHaveLength(1);
  });
});
