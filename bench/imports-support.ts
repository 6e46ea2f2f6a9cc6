import { spawn } from "node:child_process";
import { once } from "node:events";
import { createWriteStream } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { onServer } from "./scale/database.ts";

export const ROOT = join(import.meta.dirname, "..");

/** A database of the bench's own on the server, so a million rows never land in another's tables. */
export async function scratchDatabase(baseUrl: string, name: string): Promise<{ url: string; drop(): Promise<void> }> {
  await onServer(baseUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await onServer(baseUrl, `CREATE DATABASE ${name}`);
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => onServer(baseUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

/**
 * Writes a balances file of `rows` rows to `path`, streamed (never the whole file in memory): row
 * i gives member `bm{i % members}` a pseudo-random 1–1000 points, a third of them expiring in 2031.
 */
export async function writeBalances(path: string, rows: number, members: number): Promise<{ sum: number; bytes: number }> {
  const out = createWriteStream(path);
  let sum = 0;
  let bytes = 0;
  let seed = 12345;
  const write = async (text: string) => {
    bytes += Buffer.byteLength(text);
    if (!out.write(text)) await once(out, "drain");
  };
  await write("memberId,points,expiresAt,reason\n");
  let chunk = "";
  for (let i = 0; i < rows; i++) {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    const points = 1 + (seed % 1000);
    sum += points;
    chunk += `bm${i % members},${points},${i % 3 === 0 ? "2031-06-30T00:00:00Z" : ""},opening balance\n`;
    if (chunk.length > 1 << 16) {
      await write(chunk);
      chunk = "";
    }
  }
  await write(chunk);
  out.end();
  await once(out, "finish");
  return { sum, bytes };
}

/** A members file: `rows` members with an email, tags and a language. */
export async function writeMembers(path: string, rows: number): Promise<void> {
  const lines = ["memberId,email,phone,birthday,tier,tags,isMember,language"];
  for (let i = 0; i < rows; i++) lines.push(`mm${i},mm${i}@example.com,,1990-01-${String(1 + (i % 28)).padStart(2, "0")},,vip|newsletter,true,en`);
  await writeText(path, lines);
}

/** An orders file: `orders` orders of two line items each, for `members` members, placed in 2025. */
export async function writeOrders(path: string, orders: number, members: number): Promise<void> {
  const lines = ["orderId,memberId,channel,currency,placedAt,paidAt,fulfilledAt,deliveredAt,canceledAt,sku,quantity,amount,giftCard,discounts,shipping"];
  for (let i = 0; i < orders; i++) {
    const at = new Date(Date.UTC(2025, 0, 1) + (i % 300) * 86_400_000).toISOString();
    lines.push(`bo${i},om${i % members},online,USD,${at},${at},,,,tea,2,${1000 + (i % 5000)},,,500`, `bo${i},,,,,,,,,cake,1,800,,,`);
  }
  await writeText(path, lines);
}

async function writeText(path: string, lines: string[]): Promise<void> {
  const out = createWriteStream(path);
  for (let i = 0; i < lines.length; i += 10_000) {
    if (!out.write(`${lines.slice(i, i + 10_000).join("\n")}\n`)) await once(out, "drain");
  }
  out.end();
  await once(out, "finish");
}

/** A process's resident memory now and at its peak (VmRSS, VmHWM), in MB; null once it is gone. */
export async function memoryOf(pid: number): Promise<{ rss: number; peak: number } | null> {
  const status = await readFile(`/proc/${pid}/status`, "utf8").catch(() => null);
  if (!status) return null;
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? 0);
  return { rss: kb("VmRSS") / 1024, peak: kb("VmHWM") / 1024 };
}

export interface Cli {
  pid: number;
  output(): string;
  kill(): void;
  exited: Promise<number | null>;
}

/** `pointbook …` as a child process (stdout is a pipe: plain progress lines). */
export function pointbook(args: string[], env: Record<string, string>): Cli {
  const child = spawn(process.execPath, [join(ROOT, "bin", "pointbook.js"), ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout.on("data", (d: Buffer) => void (out += d.toString()));
  child.stderr.on("data", (d: Buffer) => void (out += d.toString()));
  return {
    pid: child.pid!,
    output: () => out,
    kill: () => void child.kill("SIGKILL"),
    exited: new Promise((resolve) => child.once("exit", (code) => resolve(code))),
  };
}
