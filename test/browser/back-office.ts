import { spawn, type ChildProcessByStdio } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { Readable } from "node:stream";
import { fileURLToPath } from "node:url";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, expect } from "vitest";
import { openPostgres } from "../../src/storage/postgres.ts";
import { launchChromium } from "./chromium.ts";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const SCREENSHOTS = join(ROOT, "docs", "screenshots");

export type Role = "viewer" | "points_manager" | "admin";

export interface BackOffice {
  /** e.g. http://127.0.0.1:41234 */
  readonly base: string;
  /** The demo store's admin key, as `serve --demo` prints it. */
  readonly adminKey: string;
  readonly browser: Browser;
  /** The API as the demo admin. */
  readonly api: ApiClient;
  /** Everything the server wrote so far (for failure messages). */
  output(): string;
  /** A fresh browser tab of its own (own sessionStorage), in the store's time zone; closed after the test. */
  newPage(options?: { width?: number; height?: number }): Promise<Page>;
  /** A key of the demo store with that role, made through the API. */
  keyFor(role: Role, name?: string): Promise<{ id: string; key: string }>;
  /** Where the server keeps its data (DATABASE_URL and POINTBOOK_DATA_DIR), for the CLI on the same data. */
  readonly env: { DATABASE_URL: string; POINTBOOK_DATA_DIR: string };
  /** Stops the server (SIGTERM) before the file ends, e.g. to run the CLI on its PGlite folder. */
  stopServer(): Promise<void>;
}

/** The store's zone (the demo store is in New York), so dates typed in the browser mean the same instant. */
export const STORE_ZONE = "America/New_York";

/**
 * One real server (`pointbook serve --demo`) and one Chromium per test file, set up before its tests
 * and stopped after them; call it inside a describe. The server runs on PGlite in a temporary folder,
 * or with DATABASE_URL on PostgreSQL in a schema of its own (dropped afterwards), so test files running
 * at the same time never see each other's stores and its background work never takes theirs.
 */
/** `serverEnv`: more of the server's environment (a setting a suite needs). */
export function backOfficeSuite(name: string, serverEnv: Record<string, string> = {}): BackOffice {
  let server: Awaited<ReturnType<typeof startDemoServer>> | undefined;
  let browser: Browser | undefined;
  let dir: string | undefined;
  let schema: string | undefined;
  let env: BackOffice["env"] | undefined;
  const contexts: BrowserContext[] = [];
  const pageErrors: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), `pointbook-browser-${name}-`));
    let databaseUrl = "";
    if (process.env.DATABASE_URL) {
      schema = `browser_${name.replace(/\W/g, "_")}_${randomBytes(4).toString("hex")}`;
      const admin = openPostgres(process.env.DATABASE_URL, { max: 1 });
      try {
        await admin.query(`CREATE SCHEMA ${schema}`);
      } finally {
        await admin.close();
      }
      databaseUrl = `${process.env.DATABASE_URL}${process.env.DATABASE_URL.includes("?") ? "&" : "?"}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
    }
    // Both take seconds: start them together. Whichever started is kept even if the other failed
    // (no Chromium on this machine), so afterAll still stops it.
    env = { ...serverEnv, DATABASE_URL: databaseUrl, POINTBOOK_DATA_DIR: dir };
    const [s, b] = await Promise.allSettled([startDemoServer(env), launchChromium()]);
    if (s.status === "fulfilled") server = s.value;
    if (b.status === "fulfilled") browser = b.value;
    if (b.status === "rejected") throw b.reason;
    if (s.status === "rejected") throw s.reason;
  }, 120_000);

  // An exception thrown in the page is a bug even when the screen happens to look right.
  afterEach(async () => {
    await Promise.all(contexts.splice(0).map((c) => c.close()));
    const errors = pageErrors.splice(0);
    expect(errors, "uncaught errors in the page").toEqual([]);
  });

  afterAll(async () => {
    await browser?.close();
    if (server) await server.stop();
    if (schema) {
      const admin = openPostgres(process.env.DATABASE_URL!, { max: 1 });
      await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await admin.close();
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 30_000);

  const need = <T>(v: T | undefined): T => {
    if (v === undefined) throw new Error("the back office is not started yet");
    return v;
  };
  const suite: BackOffice = {
    get base() {
      return need(server).base;
    },
    get adminKey() {
      return need(server).adminKey;
    },
    get browser() {
      return need(browser);
    },
    get api() {
      return apiClient(need(server).base, need(server).adminKey);
    },
    output: () => server?.output() ?? "",
    async newPage(options = {}) {
      const context = await need(browser).newContext({
        viewport: { width: options.width ?? 1280, height: options.height ?? 800 },
        locale: "en-US",
        timezoneId: STORE_ZONE,
        acceptDownloads: true,
      });
      // Well under the test's own timeout, so a missing element fails with its locator named.
      context.setDefaultTimeout(10_000);
      contexts.push(context);
      const page = await context.newPage();
      page.on("pageerror", (e) => pageErrors.push(`${e.message}\n${e.stack ?? ""}`));
      return page;
    },
    get env() {
      return need(env);
    },
    stopServer: async () => need(server).stop(),
    async keyFor(role, keyName = `${role} key`) {
      const made = await suite.api.post<{ id: string; key: string }>("/v1/keys", { name: keyName, role });
      return { id: made.id, key: made.key };
    },
  };
  return suite;
}

export interface ApiClient {
  get<T = any>(path: string): Promise<T>;
  post<T = any>(path: string, body?: unknown): Promise<T>;
  put<T = any>(path: string, body: unknown): Promise<T>;
  patch<T = any>(path: string, body: unknown): Promise<T>;
}

/** The public API with a key; a refusal throws with the problem in the message. */
export function apiClient(base: string, key: string): ApiClient {
  async function send<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path} → ${res.status} ${text}`);
    return (text ? JSON.parse(text) : null) as T;
  }
  return {
    get: (path) => send("GET", path),
    post: (path, body) => send("POST", path, body ?? {}),
    put: (path, body) => send("PUT", path, body),
    patch: (path, body) => send("PATCH", path, body),
  };
}

/** `pointbook serve --demo` as a child process, with the address and demo key read from its banner. */
async function startDemoServer(env: Record<string, string>) {
  const child: ChildProcessByStdio<null, Readable, Readable> = spawn(process.execPath, [join(ROOT, "bin", "pointbook.js"), "serve", "--demo"], {
    cwd: ROOT,
    // A few connections: on PostgreSQL the browser servers share max_connections with the other test files.
    env: { ...process.env, PORT: "0", HOST: "127.0.0.1", LOG_LEVEL: "warn", POINTBOOK_OPERATOR_TOKEN: "browser-test-operator-token-0123", POINTBOOK_DB_POOL_SIZE: "4", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout.on("data", (d: Buffer) => void (out += d.toString()));
  child.stderr.on("data", (d: Buffer) => void (out += d.toString()));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const { base, adminKey } = await new Promise<{ base: string; adminKey: string }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no banner within 90 s:\n${out}`)), 90_000);
    const look = () => {
      const at = /Pointbook is running at (http:\/\/\S+)/.exec(out);
      const key = /Demo admin key:\s+(\S+)/.exec(out);
      if (at && key) {
        clearTimeout(timer);
        child.stdout.off("data", look);
        resolve({ base: at[1]!, adminKey: key[1]! });
      }
    };
    child.stdout.on("data", look);
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`the server exited before it was ready:\n${out}`));
    });
  });
  return {
    base,
    adminKey,
    output: () => out,
    /** SIGTERM, then SIGKILL if it has not finished within its own grace period. */
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 12_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Signs in on the sign-in screen as a person would: the key typed into its field, then the button. */
export async function signIn(page: Page, base: string, key: string): Promise<void> {
  await page.goto(`${base}/admin`);
  await page.getByLabel("Staff key").fill(key);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("navigation", { name: "Screens" }).waitFor();
}

/** Opens a screen from the navigation and waits for its heading. */
export async function openScreen(page: Page, title: string, heading = title): Promise<void> {
  await page.getByRole("navigation", { name: "Screens" }).getByRole("link", { name: title, exact: true }).click();
  await page.getByRole("heading", { level: 1, name: heading, exact: true }).waitFor();
}

/** Saves what the page shows as docs/screenshots/<name>.png (the README and docs show these). */
export async function screenshot(page: Page, name: string, options: { fullPage?: boolean } = {}): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  // Focus rings and the text caret are not part of what a screen looks like.
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur?.());
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: options.fullPage ?? true, animations: "disabled" });
}
