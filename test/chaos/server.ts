import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { createWriteStream, readFileSync, type WriteStream } from "node:fs";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";

/** The repository root: the server is started exactly as an operator would, from bin/pointbook.js. */
export const ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const CLI = fileURLToPath(new URL("../../bin/pointbook.js", import.meta.url));

/** Servers still running; killed if the runner itself exits abruptly, so none is left behind. */
const live = new Set<ChildProcess>();
process.on("exit", () => {
  for (const child of live) child.kill("SIGKILL");
});

/** A port the kernel has just handed out on loopback; the server keeps it across restarts. */
export async function freePort(): Promise<number> {
  const probe = createServer();
  probe.listen(0, "127.0.0.1");
  await once(probe, "listening");
  const address = probe.address();
  probe.close();
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

export interface ServerOptions {
  port: number;
  databaseUrl: string;
  operatorToken: string;
  dataDir: string;
  logFile: string;
}

/**
 * One `pointbook serve` child process that can be killed with SIGKILL and started again on the
 * same port and database, as a crashed process would be restarted by its supervisor.
 */
export class ServerProcess {
  readonly baseUrl: string;
  starts = 0;
  private child: ChildProcess | null = null;
  private exited: Promise<void> = Promise.resolve();
  private readonly log: WriteStream;

  constructor(private readonly options: ServerOptions) {
    this.baseUrl = `http://127.0.0.1:${options.port}`;
    this.log = createWriteStream(options.logFile, { flags: "a" });
  }

  /** Starts the server and resolves once GET /readyz answers 200. */
  async start(timeoutMs = 30_000): Promise<void> {
    if (this.child) throw new Error("the server is already running");
    this.starts++;
    this.log.write(`\n--- start #${this.starts} at ${new Date().toISOString()}\n`);
    const child = spawn(process.execPath, [CLI, "serve"], {
      cwd: ROOT,
      env: {
        ...process.env,
        PORT: String(this.options.port),
        HOST: "127.0.0.1",
        DATABASE_URL: this.options.databaseUrl,
        POINTBOOK_OPERATOR_TOKEN: this.options.operatorToken,
        POINTBOOK_DATA_DIR: this.options.dataDir,
        LOG_LEVEL: "warn",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.child = child;
    live.add(child);
    child.stdout!.pipe(this.log, { end: false });
    child.stderr!.pipe(this.log, { end: false });
    this.exited = once(child, "exit").then(() => void live.delete(child));
    let gone = false;
    void this.exited.then(() => { gone = true; });

    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (gone) {
        this.child = null;
        await sleep(200); // let the log stream take the last lines
        const tail = readFileSync(this.options.logFile, "utf8").trim().split("\n").slice(-12).join("\n");
        throw new Error(`the server exited during start-up (exit code ${child.exitCode}); ${this.options.logFile} ends with:\n${tail}`);
      }
      try {
        const res = await fetch(`${this.baseUrl}/readyz`, { signal: AbortSignal.timeout(1_000) });
        if (res.status === 200) return;
      } catch {
        // Not listening yet.
      }
      await sleep(50);
    }
    throw new Error(`the server was not ready within ${timeoutMs} ms; see ${this.options.logFile}`);
  }

  /** SIGKILL: no shutdown hook runs, open transactions are cut off mid-way. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.child = null;
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGKILL");
    }
    await this.exited;
  }

  get running(): boolean {
    return this.child !== null;
  }

  /** Kills the server if it runs and closes the log; safe to call twice. */
  async close(): Promise<void> {
    await this.kill();
    if (!this.log.writableEnded) await new Promise<void>((resolve) => this.log.end(resolve));
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
