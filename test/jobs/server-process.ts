import { spawn, type ChildProcessByStdio } from "node:child_process";
import { dirname, join } from "node:path";
import type { Readable } from "node:stream";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

export const OPERATOR = "test-operator-token-0123456789";

export interface ServerProcess {
  child: ChildProcessByStdio<null, Readable, Readable>;
  /** e.g. http://127.0.0.1:41234 */
  base: string;
  port: number;
  /** Everything written to stdout and stderr so far (until the pipes are closed). */
  output(): string;
  /** Resolves when the process has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * The real server (`bin/pointbook.js serve`) as a child process on a port of its own choosing,
 * read back from the banner it prints. `DATABASE_URL: ""` runs it on PGlite in `POINTBOOK_DATA_DIR`.
 */
export async function startServer(env: Record<string, string>): Promise<ServerProcess> {
  const child = spawn(process.execPath, [join(ROOT, "bin", "pointbook.js"), "serve"], {
    cwd: ROOT,
    // A few connections each: test servers share PostgreSQL's max_connections with the other test files.
    env: { ...process.env, PORT: "0", HOST: "127.0.0.1", POINTBOOK_OPERATOR_TOKEN: OPERATOR, LOG_LEVEL: "info", POINTBOOK_DB_POOL_SIZE: "6", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout.on("data", (d: Buffer) => void (out += d.toString()));
  child.stderr.on("data", (d: Buffer) => void (out += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once("exit", (code, signal) => resolve({ code, signal }));
  });
  const base = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no banner within 90 s:\n${out}`)), 90_000);
    const look = () => {
      const m = /Pointbook is running at (http:\/\/[^\s]+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        child.stdout.off("data", look);
        resolve(m[1]!);
      }
    };
    child.stdout.on("data", look);
    void exited.then(({ code }) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before it was ready:\n${out}`));
    });
  });
  return { child, base, port: Number(new URL(base).port), output: () => out, exited };
}

/** Waits for the process to exit; fails after `ms`. Returns how long it took. */
export async function exitWithin(server: ServerProcess, ms: number): Promise<{ code: number | null; signal: NodeJS.Signals | null; elapsed: number }> {
  const started = Date.now();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`still running ${ms} ms after the signal:\n${server.output()}`)), ms);
  });
  try {
    const result = await Promise.race([server.exited, timeout]);
    return { ...result, elapsed: Date.now() - started };
  } finally {
    clearTimeout(timer);
    if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill("SIGKILL");
  }
}

/** JSON calls to a server process with a key, answering `{status, json}` (null when the body is not JSON). */
export function serverApi(server: () => ServerProcess) {
  return async (method: string, path: string, key: string, body?: unknown): Promise<{ status: number; json: any }> => {
    const res = await fetch(`${server().base}${path}`, {
      method, headers: { authorization: `Bearer ${key}`, ...(body ? { "content-type": "application/json" } : {}) }, body: body ? JSON.stringify(body) : undefined,
    });
    return { status: res.status, json: (await res.json().catch(() => null)) as any };
  };
}
