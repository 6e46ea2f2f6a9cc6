/**
 * The server's import worker (SPEC §6 Imports): an uploaded import is leased to one process; a
 * process that dies mid-import keeps its lease until it runs out, then another process resumes
 * the import after its last committed batch; a process that lost its lease applies nothing more.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ImportTakenOver, runImport } from "../../src/services/imports/run.ts";
import { uploadBytes } from "../../src/services/imports/sources.ts";
import { startUploadedImport } from "../../src/services/imports/start.ts";
import { receiveUpload } from "../../src/services/imports/upload.ts";
import { runWaitingImports } from "../../src/services/imports/worker.ts";
import type { Services } from "../../src/services/context.ts";
import { TestClock } from "../support/clock.ts";
import { adaptersUnderTest, openAdapter, type TestAdapter } from "../support/adapters.ts";
import { balancesFile, importEntries, newStore } from "./files.ts";

// Long before any other test's imports: on a shared PostgreSQL, claims span stores.
const T0 = new Date("2001-02-01T00:00:00Z");
const LEASE_MS = 30_000;

describe.each(adaptersUnderTest())("uploaded imports and their lease on %s", (kind) => {
  let adapter: TestAdapter;
  let services: Services;
  let clock: TestClock;
  beforeAll(async () => {
    adapter = await openAdapter(kind);
    clock = new TestClock(T0);
    services = { tx: adapter.tx, clock };
  });
  afterAll(async () => adapter.close());

  async function uploaded(rows: number, members: number) {
    const storeId = await newStore(services);
    const { text, sum } = balancesFile(rows, members);
    async function* body() {
      for (let i = 0; i < text.length; i += 1000) yield Buffer.from(text.slice(i, i + 1000));
    }
    const upload = await receiveUpload(services, storeId, body(), { kind: "balances", maxBytes: 1 << 20 });
    await services.tx.run((repos) => startUploadedImport(repos, services, storeId, upload.id,
      { kind: "balances", award: false, sha256: upload.sha256, bytes: upload.bytes, fileName: null, rows: upload.rows }, { again: false, hint: "" }, { id: "key_1", role: "admin" }));
    return { storeId, id: upload.id, sum, members: Array.from({ length: members }, (_, i) => `m${i}`) };
  }

  it("a worker killed mid-import keeps the lease until it runs out; the next worker resumes after the last batch", async () => {
    clock.set(T0);
    const u = await uploaded(230, 9);
    const died = runWaitingImports(services, { storeId: u.storeId, holder: "first", leaseMs: LEASE_MS, batchRows: 25, faults: { afterBatch: (n) => {
      if (n === 4) throw new Error("killed");
    } } });
    await expect(died).rejects.toThrow("killed");
    const held = await services.tx.run((repos) => repos.imports.get(u.storeId, u.id));
    expect(held).toMatchObject({ status: "running", total: 230, progress: { processed: 100, batches: 4 }, lease: { holder: "first" } });

    // While the lease runs, nobody else takes the import.
    clock.set(new Date(T0.getTime() + LEASE_MS - 1));
    expect(await runWaitingImports(services, { storeId: u.storeId, holder: "second", leaseMs: LEASE_MS, batchRows: 25 })).toEqual({ claimed: 0, finished: 0 });

    clock.set(new Date(T0.getTime() + LEASE_MS));
    expect(await runWaitingImports(services, { storeId: u.storeId, holder: "second", leaseMs: LEASE_MS, batchRows: 40 })).toEqual({ claimed: 1, finished: 1 });
    const done = await services.tx.run((repos) => repos.imports.get(u.storeId, u.id));
    expect(done).toMatchObject({ status: "done", total: 230, progress: { processed: 230, imported: 230, batches: 4 + 4 }, lease: null });
    expect(await importEntries(services.tx, u.storeId, u.members)).toEqual({ count: 230, points: u.sum });
    expect(await adapter.verify(u.storeId)).toEqual([]);
    // The file's bytes are dropped with the import's end.
    expect(await services.tx.run((repos) => repos.imports.chunks(u.storeId, u.id, 0, 10))).toEqual([]);
  });

  it("a worker whose lease another took over applies nothing more", async () => {
    clock.set(new Date(T0.getTime() + 3_600_000));
    const u = await uploaded(60, 4);
    const now = clock.now();
    const first = await services.tx.run((repos) => repos.imports.claim(now, "slow", new Date(now.getTime() + LEASE_MS), u.storeId));
    expect(first?.record.id).toBe(u.id);
    clock.set(new Date(now.getTime() + LEASE_MS));
    const later = clock.now();
    expect((await services.tx.run((repos) => repos.imports.claim(later, "fast", new Date(later.getTime() + LEASE_MS), u.storeId)))?.record.id).toBe(u.id);
    await expect(runImport(services, u.storeId, u.id, uploadBytes(services, u.storeId, u.id), { lease: { holder: "slow", ms: LEASE_MS }, batchRows: 10 }))
      .rejects.toThrow(ImportTakenOver);
    expect(await importEntries(services.tx, u.storeId, u.members)).toEqual({ count: 0, points: 0 });
    const ended = await runImport(services, u.storeId, u.id, uploadBytes(services, u.storeId, u.id), { lease: { holder: "fast", ms: LEASE_MS }, batchRows: 10 });
    expect(ended).toMatchObject({ status: "done", progress: { imported: 60 } });
    expect(await importEntries(services.tx, u.storeId, u.members)).toEqual({ count: 60, points: u.sum });
  });

  it("a worker asked to stop finishes its batch and gives the lease up for another to resume at once", async () => {
    clock.set(new Date(T0.getTime() + 7_200_000));
    const u = await uploaded(100, 5);
    const stop = new AbortController();
    const report = await runWaitingImports(services, { storeId: u.storeId, holder: "stopping", leaseMs: LEASE_MS, batchRows: 30, signal: stop.signal, faults: { afterBatch: () => stop.abort() } });
    expect(report).toEqual({ claimed: 1, finished: 0 });
    expect(await services.tx.run((repos) => repos.imports.get(u.storeId, u.id))).toMatchObject({ status: "running", progress: { processed: 30 }, lease: null });
    expect(await runWaitingImports(services, { storeId: u.storeId, holder: "next", leaseMs: LEASE_MS, batchRows: 30 })).toEqual({ claimed: 1, finished: 1 });
    expect(await importEntries(services.tx, u.storeId, u.members)).toEqual({ count: 100, points: u.sum });
  });

  it("uploads that never became an import are swept after a day", async () => {
    clock.set(new Date(T0.getTime() + 10_800_000));
    const storeId = await newStore(services);
    await services.tx.run((repos) => repos.imports.addChunk(storeId, "imp_orphan", { seq: 0, start: 0, data: Buffer.from("memberId\n") }, clock.now()));
    clock.set(new Date(clock.now().getTime() + 25 * 3_600_000));
    await runWaitingImports(services, { storeId, holder: "sweeper", leaseMs: LEASE_MS });
    expect(await services.tx.run((repos) => repos.imports.chunks(storeId, "imp_orphan", 0, 10))).toEqual([]);
  });
});
