/**
 * `pointbook import` as a function (SPEC §6 Imports): each kind, the summary and exit codes,
 * "the same import" (resume, refuse to repeat, --again), and crashes simulated after and inside a
 * batch: the rerun resumes and every row is applied once.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { importCommand } from "../../src/cli/import.ts";
import { importProgress } from "../../src/cli/import-progress.ts";
import { DomainError } from "../../src/core/errors.ts";
import type { ImportRecord } from "../../src/core/ports/imports.ts";
import type { Services } from "../../src/services/context.ts";
import type { Database } from "../../src/storage/sql.ts";
import { transactor } from "../../src/storage/transactor.ts";
import { verifyLedger } from "../../src/storage/verify.ts";
import { TestClock } from "../support/clock.ts";
import { kindsUnderTest, openTestDatabase } from "../support/db.ts";
import { balancesFile, captured, importEntries, newStore, scratch } from "./files.ts";

const crash = () => {
  throw new Error("simulated crash");
};

describe.each(kindsUnderTest())("pointbook import on %s", (kind) => {
  let db: Database;
  let services: Services;
  const files = scratch();
  beforeAll(async () => {
    db = await openTestDatabase(kind);
    services = { tx: transactor(db), clock: new TestClock(new Date("2026-03-01T12:00:00Z")) };
  });
  afterAll(async () => {
    await db.close();
    files.cleanup();
  });

  it("imports members, balances and orders, with a summary; exit 0, or 2 when rows were rejected", async () => {
    const storeId = await newStore(services);
    const members = captured();
    const m = await importCommand(services, { storeId, kind: "members", file: files.file("memberId,email,tags\nc1,c1@example.com,a|b\nc2,,\n"), award: false, again: false }, members.out);
    expect(m.exitCode).toBe(0);
    expect(members.text()).toMatch(/^importing members from .* as imp_\w+\nprocessed 2 rows \(\d+ rows\/s\), 0 rejected\nimport imp_\w+ done: 2 rows, 2 imported, 0 rejected; 2 rows in [\d.]+ s \(\d+ rows\/s\)\n$/);

    const balances = captured();
    const b = await importCommand(services, { storeId, kind: "balances", file: files.file("memberId,points\nc1,10\nc2,x\nc3,5\n"), award: false, again: false }, balances.out);
    expect(b.exitCode).toBe(2);
    expect(balances.text()).toContain("done: 3 rows, 2 imported, 1 rejected");
    expect(balances.text()).toContain("  line 3: points: must be a whole number\n");

    const orders = captured();
    const o = await importCommand(services, { storeId, kind: "orders", file: files.file("orderId,memberId,placedAt,sku,quantity,amount\no1,c1,2026-01-01T00:00:00Z,tea,1,500\no1,c1,,cake,2,700\n"), award: false, again: false }, orders.out);
    expect(o.exitCode).toBe(0);
    expect(o.record.progress).toMatchObject({ processed: 2, imported: 2 });
    const view = await services.tx.run((repos) => repos.orders.get(storeId, "o1"));
    expect(view).toMatchObject({ memberId: "c1", origin: { importId: o.record.id, award: false }, order: { lines: [{ sku: "tea" }, { sku: "cake", quantity: 2 }] } });
    expect(await services.tx.run((repos) => repos.members.get(storeId, "c1"))).toMatchObject({ email: "c1@example.com", tags: ["a", "b"] });
    expect(await verifyLedger(db, storeId)).toEqual([]);
  });

  it("refuses to run a finished import again unless --again; an unfinished one is resumed", async () => {
    const storeId = await newStore(services);
    const file = files.file("memberId,points\nr1,10\n");
    await importCommand(services, { storeId, kind: "balances", file, award: false, again: false }, captured().out);
    const refused = importCommand(services, { storeId, kind: "balances", file, award: false, again: false }, captured().out);
    await expect(refused).rejects.toThrow(DomainError);
    await expect(refused).rejects.toThrow(/imported already as imp_\w+ \(done, 1 rows imported\); run it with --again/);
    // Other options make another import of the same bytes.
    const other = await importCommand(services, { storeId, kind: "members", file: files.file("memberId\nr1\n"), award: false, again: false }, captured().out);
    expect(other.exitCode).toBe(0);
    expect((await importCommand(services, { storeId, kind: "balances", file, award: false, again: true }, captured().out)).exitCode).toBe(0);
    expect(await services.tx.run((repos) => repos.members.readBook(storeId, "r1"))).toMatchObject({ balance: { balance: 20 } });
  });

  it.each([
    ["after a batch committed", { afterBatch: (n: number) => (n === 3 ? crash() : undefined) }],
    ["inside a batch's transaction", { inBatch: (n: number) => (n === 3 ? crash() : undefined) }],
  ])("a crash %s: the rerun resumes after the last committed batch and applies every row once", async (_when, faults) => {
    const storeId = await newStore(services);
    const { text, sum } = balancesFile(95, 7);
    const file = files.file(text);
    const first = captured();
    await expect(importCommand(services, { storeId, kind: "balances", file, award: false, again: false, batchRows: 10 }, first.out, { faults })).rejects.toThrow("simulated crash");
    const second = captured();
    const done = await importCommand(services, { storeId, kind: "balances", file, award: false, again: false, batchRows: 10 }, second.out);
    const committed = "afterBatch" in faults ? 3 : 2;
    expect(second.text()).toMatch(new RegExp(`^resuming import imp_\\w+ at line ${committed * 10 + 2} \\(${committed * 10} rows done before\\)\\n`));
    expect(done.record).toMatchObject({ status: "done", total: 95, progress: { processed: 95, imported: 95, rejected: 0, line: 96 } });
    const members = Array.from({ length: 7 }, (_, i) => `m${i}`);
    expect(await importEntries(services.tx, storeId, members)).toEqual({ count: 95, points: sum });
    expect(await verifyLedger(db, storeId)).toEqual([]);
  });

  it("an unreadable file stops the import where it becomes unreadable, keeping the rows before it (exit 1)", async () => {
    const storeId = await newStore(services);
    const file = files.file(`memberId,points\nu1,5\nu2,"${"x".repeat(1_100_000)}\nu3,7\n`);
    const out = captured();
    const r = await importCommand(services, { storeId, kind: "balances", file, award: false, again: false }, out.out);
    expect(r.exitCode).toBe(1);
    expect(r.record).toMatchObject({ status: "failed", progress: { imported: 1 } });
    expect(out.text()).toMatch(/failed at line 3: a row runs past 1 MB/);
    const header = await importCommand(services, { storeId, kind: "balances", file: files.file("member,points\nu1,5\n"), award: false, again: false }, captured().out);
    expect(header.record).toMatchObject({ status: "failed", failure: expect.stringMatching(/^line 1: the header: unknown column "member"/), progress: { processed: 0 } });
  });

  if (kind === "postgres") {
    it("two runs of the same import at once apply every row once: one of them stops", async () => {
      const storeId = await newStore(services);
      const { text, sum } = balancesFile(400, 13);
      const file = files.file(text);
      const first = importCommand(services, { storeId, kind: "balances", file, award: false, again: false, batchRows: 20 }, captured().out);
      await new Promise((r) => setTimeout(r, 30));
      const second = importCommand(services, { storeId, kind: "balances", file, award: false, again: false, batchRows: 20 }, captured().out);
      const results = await Promise.allSettled([first, second]);
      expect(results.some((r) => r.status === "fulfilled")).toBe(true);
      for (const r of results) if (r.status === "rejected") expect(String(r.reason)).toMatch(/being run by another process/);
      // Whoever stopped, a last run finishes what is left (nothing, or the stopped run's part).
      const last = await importCommand(services, { storeId, kind: "balances", file, award: false, again: false, batchRows: 20 }, captured().out).catch((e: unknown) => e);
      expect(last instanceof DomainError || (last as { record: ImportRecord }).record.status === "done").toBe(true);
      expect(await importEntries(services.tx, storeId, Array.from({ length: 13 }, (_, i) => `m${i}`))).toEqual({ count: 400, points: sum });
    });
  }
});

describe("progress output", () => {
  const record = (processed: number, offset: number, rejected = 0): ImportRecord => ({
    id: "imp_1", kind: "balances", source: "cli", award: false, fileName: null, sha256: "", bytesTotal: 1000, status: "running", total: null, columns: null,
    progress: { offset, line: processed + 1, processed, imported: processed - rejected, rejected, errors: rejected, batches: 0 },
    failure: null, actor: "cli", createdAt: new Date(0), updatedAt: new Date(0), finishedAt: null, lease: null,
  });

  it("without a terminal, a line after the first batch, then one every few seconds, with rows, rows/s and rejections", () => {
    let now = 0;
    const { out, text } = captured();
    const p = importProgress(out, record(0, 0), 1000, () => now);
    now = 1_000;
    p.update(record(4_000, 100));
    now = 5_000;
    p.update(record(20_000, 200));
    now = 6_000;
    p.update(record(144_000, 500, 12));
    now = 7_000;
    p.update(record(150_000, 600, 12));
    p.stop();
    expect(text()).toBe("processed 4000 rows (4000 rows/s), 0 rejected\nprocessed 144000 rows (24000 rows/s), 12 rejected\n");
  });
});
