/**
 * Property: importing a random balances file in random batch sizes, with a crash at a random batch
 * (inside its transaction, or right after its commit) and a resume with another batch size, leaves
 * every member with exactly the balance a simple model gives (the sum of their valid rows), one
 * import entry per valid row, and a ledger that verifies. Runs on every adapter.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runImport } from "../../src/services/imports/run.ts";
import { startFileImport } from "../../src/services/imports/start.ts";
import type { Services } from "../../src/services/context.ts";
import { TestClock } from "../support/clock.ts";
import { adaptersUnderTest, openAdapter, type TestAdapter } from "../support/adapters.ts";
import { importEntries, newStore } from "./files.ts";

const NOW = new Date("2026-03-01T12:00:00Z");
const MEMBERS = ["ann", "bob", "cy", "dee"];

const row = fc.record({
  member: fc.constantFrom(...MEMBERS),
  points: fc.integer({ min: 1, max: 10_000 }),
  // Some rows are refused: points that are no positive whole number, an expiry already passed.
  flaw: fc.constantFrom(null, null, null, null, "zero", "text", "expired"),
  expires: fc.boolean(),
});
type Row = typeof row extends fc.Arbitrary<infer R> ? R : never;

function file(rows: readonly Row[]): Buffer {
  const lines = rows.map((r) => {
    const points = r.flaw === "zero" ? "0" : r.flaw === "text" ? `${r.points}pts` : String(r.points);
    const expiry = r.flaw === "expired" ? "2020-01-01T00:00:00Z" : r.expires ? "2030-01-01T00:00:00Z" : "";
    return `${r.member},${points},${expiry},`;
  });
  return Buffer.from(`memberId,points,expiresAt,reason\n${lines.join("\n")}\n`);
}

/** The bytes from `offset`, in pieces of a random size. */
const bytesOf = (buf: Buffer, piece: number) => async function* (offset: number) {
  for (let i = offset; i < buf.length; i += piece) yield buf.subarray(i, Math.min(buf.length, i + piece));
};

describe.each(adaptersUnderTest())("a crashed and resumed balances import on %s", (kind) => {
  let adapter: TestAdapter;
  let services: Services;
  beforeAll(async () => {
    adapter = await openAdapter(kind);
    services = { tx: adapter.tx, clock: new TestClock(NOW) };
  });
  afterAll(async () => adapter.close());

  it("gives the model's balances, one import entry per valid row", async () => {
    await fc.assert(fc.asyncProperty(
      fc.array(row, { minLength: 1, maxLength: 60 }), fc.integer({ min: 1, max: 15 }), fc.integer({ min: 1, max: 15 }),
      fc.integer({ min: 1, max: 8 }), fc.boolean(), fc.integer({ min: 1, max: 200 }),
      async (rows, firstBatch, secondBatch, crashAt, inside, piece) => {
        const storeId = await newStore(services);
        const buf = file(rows);
        const sha256 = `sha-${storeId}`;
        const start = () => startFileImport(services, storeId, { kind: "balances", award: false, sha256, bytes: buf.length, fileName: null }, { again: false, hint: "" }, { id: "test", role: "operator" });
        const { record } = await start();
        const crash = (n: number) => {
          if (n === crashAt) throw new Error("crash");
        };
        const first = await runImport(services, storeId, record.id, bytesOf(buf, piece), { batchRows: firstBatch, faults: inside ? { inBatch: crash } : { afterBatch: crash } }).catch((e: unknown) => {
          if (!(e instanceof Error && e.message === "crash")) throw e;
          return null;
        });
        // A file shorter than the crash's batch is imported by the first run; a crash after the last batch left it done.
        let ended = first ?? (await services.tx.run((repos) => repos.imports.get(storeId, record.id)))!;
        if (ended.status === "running") {
          const again = await start();
          expect(again).toMatchObject({ resumed: true, record: { id: record.id } });
          ended = await runImport(services, storeId, again.record.id, bytesOf(buf, piece), { batchRows: secondBatch });
        }

        const valid = rows.filter((r) => r.flaw === null);
        expect(ended).toMatchObject({ status: "done", progress: { processed: rows.length, imported: valid.length, rejected: rows.length - valid.length } });
        for (const m of MEMBERS) {
          const expected = valid.filter((r) => r.member === m).reduce((s, r) => s + r.points, 0);
          const book = await services.tx.run((repos) => repos.members.readBook(storeId, m));
          expect(book?.balance.balance ?? 0).toBe(expected);
        }
        expect(await importEntries(services.tx, storeId, MEMBERS)).toEqual({ count: valid.length, points: valid.reduce((s, r) => s + r.points, 0) });
        expect(await adapter.verify(storeId)).toEqual([]);
      },
    ), { numRuns: kind === "memory" ? 60 : 25 });
  });
});
