import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { simulateProgress } from "../../src/cli/simulate-progress.ts";
import { loadPreset } from "../support/presets.ts";

const run = promisify(execFile);
const BIN = join(import.meta.dirname, "..", "..", "bin", "pointbook.js");

/** `pointbook simulate` as a user runs it: a real process on a PGlite data directory, replays in worker threads. */
describe("pointbook simulate", () => {
  const dir = mkdtempSync(join(tmpdir(), "pointbook-simulate-"));
  const env = { ...process.env, POINTBOOK_DATA_DIR: join(dir, "data"), DATABASE_URL: "", LOG_LEVEL: "warn" };
  const cli = (...args: string[]) => run(process.execPath, [BIN, ...args], { env, cwd: dir, maxBuffer: 16 * 1024 * 1024 });
  let storeId = "";
  const today = new Date().toISOString().slice(0, 10);

  beforeAll(async () => {
    storeId = JSON.parse((await cli("stores", "create", "--name", "Tea shop", "--currency", "USD", "--timezone", "UTC")).stdout).id;
    writeFileSync(join(dir, "member-points.json"), JSON.stringify(loadPreset("member-points")));
    await cli("program", "apply", join(dir, "member-points.json"), "--store", storeId);
    const placed = new Date(Date.now() - 10 * 86_400_000).toISOString();
    const rows = Array.from({ length: 20 }, (_, i) => `o${i},m${i % 5},${placed},${placed},${placed},tea,1,${25_000 + i * 1_000}`);
    writeFileSync(join(dir, "orders.csv"), `orderId,memberId,placedAt,paidAt,deliveredAt,sku,quantity,amount\n${rows.join("\n")}\n`);
    await cli("import", "orders", join(dir, "orders.csv"), "--store", storeId, "--award");
    const halved = loadPreset("member-points") as { earnRules: Array<{ award: { per?: number } }> };
    for (const r of halved.earnRules) if (r.award.per) r.award.per *= 2;
    writeFileSync(join(dir, "halved.json"), JSON.stringify(halved));
  }, 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("prints current → candidate per month as a table, and the same report as JSON", async () => {
    const table = await cli("simulate", "--store", storeId, "--candidate", join(dir, "halved.json"), "--to", today);
    const month = today.slice(0, 7);
    const line = table.stdout.split("\n").find((l) => l.startsWith(month));
    expect(line, table.stdout).toBeDefined();
    // 20 orders of $250, $260 … $440 earn 25 … 44 points at $10 = 1 point (690), and 12 … 22 at $20 (340).
    expect(line).toMatch(/^\d{4}-\d{2}\s+690 → 340\s/);
    expect(table.stdout).toContain("The current program's figures are the ledger's own (a replay would give the same).");
    expect(table.stderr).toMatch(/simulated \S+ to \S+ in [\d.]+ s/);

    const json = JSON.parse((await cli("simulate", "--store", storeId, "--candidate", "current", "--to", today, "--json", "--redemption-rate", "0.5")).stdout);
    expect(json.redemptionRate).toBe(0.5);
    expect(json.current.totals.issued).toBeGreaterThan(500);
    expect(json.candidate.totals).toEqual(json.current.totals);
  }, 120_000);

  it("names what is wrong: a candidate that is not a program, a rate out of range", async () => {
    writeFileSync(join(dir, "bad.json"), JSON.stringify({ settings: {}, earnRules: [{ name: "x" }] }));
    const bad = await cli("simulate", "--store", storeId, "--candidate", join(dir, "bad.json")).catch((e: { code: number; stderr: string }) => e);
    expect(bad).toMatchObject({ code: 1 });
    expect((bad as { stderr: string }).stderr).toContain("earnRules.0");
    const rate = await cli("simulate", "--store", storeId, "--candidate", "current", "--redemption-rate", "2").catch((e: { code: number; stderr: string }) => e);
    expect(rate).toMatchObject({ code: 1 });
    expect((rate as { stderr: string }).stderr).toContain("--redemption-rate");
  }, 120_000);
});

describe("pointbook simulate's progress", () => {
  /** A terminal as cli-progress writes to one: text and cursor moves land in `text`. */
  const terminal = (isTTY: boolean) => {
    let text = "";
    const out = { isTTY, columns: 100, write: (s: string) => void (text += s), cursorTo: () => true, clearLine: () => true, moveCursor: () => true, on: () => out, removeListener: () => out };
    return { out, text: () => text };
  };

  it("on a terminal, a bar of the share replayed, up to 100 %", () => {
    const { out, text } = terminal(true);
    const p = simulateProgress(out);
    p.told(0.42);
    p.told(1);
    p.stop();
    expect(text()).toMatch(/replaying .* 100% \| ETA/);
  });

  it("anywhere else, nothing: the report stays the output", () => {
    const { out, text } = terminal(false);
    const p = simulateProgress(out);
    p.told(0.42);
    p.stop();
    expect(text()).toBe("");
  });
});
