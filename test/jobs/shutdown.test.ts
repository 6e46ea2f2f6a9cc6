/**
 * The real server process on SIGTERM: it stops accepting, finishes what is in flight and exits 0
 * within the grace period, even when nobody reads its output any more.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { SHUTDOWN_GRACE_MS } from "../../src/cli/serve.ts";
import { exitWithin, OPERATOR, startServer, type ServerProcess } from "./server-process.ts";

const dirs: string[] = [];
const servers: ServerProcess[] = [];

afterEach(() => {
  for (const s of servers.splice(0)) if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill("SIGKILL");
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** Its own PGlite folder; never a shared PostgreSQL, whose other stores are not this test's. */
async function start(): Promise<ServerProcess> {
  const dir = mkdtempSync(join(tmpdir(), "pointbook-shutdown-"));
  dirs.push(dir);
  const server = await startServer({ DATABASE_URL: "", POINTBOOK_DATA_DIR: dir, POINTBOOK_SCHEDULER_INTERVAL_MS: "100" });
  servers.push(server);
  return server;
}

function read(socket: Socket, until: RegExp, ms = 10_000): Promise<string> {
  return new Promise((resolve, reject) => {
    let got = "";
    const timer = setTimeout(() => reject(new Error(`no ${until} within ${ms} ms; got: ${got}`)), ms);
    const onData = (d: Buffer) => {
      got += d.toString();
      if (until.test(got)) {
        clearTimeout(timer);
        socket.off("data", onData);
        resolve(got);
      }
    };
    socket.on("data", onData);
  });
}

/** Resolves once nothing listens on the port any more. */
async function listenerClosed(port: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const refused = await new Promise<boolean>((resolve) => {
      const s = connect(port, "127.0.0.1");
      s.once("connect", () => {
        s.destroy();
        resolve(false);
      });
      s.once("error", () => resolve(true));
    });
    if (refused) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error("the server kept listening after SIGTERM");
}

describe("server shutdown", () => {
  it("exits 0 within the grace period after SIGTERM, though its output pipes were closed", async () => {
    const server = await start();
    // The parent stops reading: from now on every log line the server writes hits a closed pipe.
    server.child.stdout.destroy();
    server.child.stderr.destroy();
    for (let i = 0; i < 5; i++) expect((await fetch(`${server.base}/healthz`)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 300)); // a few scheduler ticks, each able to log
    expect((await fetch(`${server.base}/healthz`)).status).toBe(200);

    server.child.kill("SIGTERM");
    const exit = await exitWithin(server, SHUTDOWN_GRACE_MS + 5_000);
    expect(exit).toMatchObject({ code: 0, signal: null });
    expect(exit.elapsed).toBeLessThan(SHUTDOWN_GRACE_MS);
  }, 120_000);

  it("exits 0 within the grace period after SIGTERM while its reader has stopped reading (a full pipe)", async () => {
    const server = await start();
    server.child.stdout.pause();
    server.child.stderr.pause();
    // Each request logs two lines of a few hundred bytes: far more than a pipe holds (64 KiB).
    for (let i = 0; i < 600; i++) expect((await fetch(`${server.base}/healthz`)).status).toBe(200);

    server.child.kill("SIGTERM");
    const exit = await exitWithin(server, SHUTDOWN_GRACE_MS + 5_000);
    expect(exit).toMatchObject({ code: 0, signal: null });
    expect(exit.elapsed).toBeLessThan(SHUTDOWN_GRACE_MS);
  }, 120_000);

  it("finishes a request in flight at SIGTERM, refuses new connections, then exits 0", async () => {
    const server = await start();
    const body = JSON.stringify({ name: "Late store", currency: "USD", timezone: "UTC" });
    const socket = connect(server.port, "127.0.0.1");
    await new Promise<void>((resolve) => socket.once("connect", () => resolve()));
    socket.write([
      "POST /v1/stores HTTP/1.1", "Host: localhost", `Authorization: Bearer ${OPERATOR}`,
      "Content-Type: application/json", `Content-Length: ${Buffer.byteLength(body)}`,
      "Expect: 100-continue", "Connection: close", "", "",
    ].join("\r\n"));
    // 100 Continue: the server has the request's headers, so the request is in flight.
    await read(socket, /100 Continue/);

    server.child.kill("SIGTERM");
    await listenerClosed(server.port);
    const response = read(socket, /\r\n\r\n[\s\S]*"apiKey"/);
    socket.write(body);
    expect(await response).toMatch(/^HTTP\/1\.1 201 /m);

    const exit = await exitWithin(server, SHUTDOWN_GRACE_MS + 5_000);
    expect(exit).toMatchObject({ code: 0, signal: null });
    expect(exit.elapsed).toBeLessThan(SHUTDOWN_GRACE_MS);
  }, 120_000);
});
