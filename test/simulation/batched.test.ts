/**
 * A replay's transactions are savepoints of batches (src/services/simulation/batched.ts): each run
 * must behave as its own transaction would, all of it kept or none of it, across batch ends.
 */
import { describe, expect, it } from "vitest";
import { DEFAULT_PROGRAM } from "../../src/core/program/settings.ts";
import type { StoreRecord } from "../../src/core/ports/records.ts";
import { batchedTransactor } from "../../src/services/simulation/batched.ts";
import { memoryTransactor } from "../../src/storage/memory/transactor.ts";

const store = (id: string): StoreRecord => ({ id, name: id, currency: "USD", timezone: "UTC", sandbox: false, clockNow: null, program: DEFAULT_PROGRAM, createdAt: new Date("2026-01-01T00:00:00Z") });

describe("batched transactor", () => {
  it("keeps what a run wrote and undoes a run that threw, within and across batches", async () => {
    const db = memoryTransactor();
    const tx = batchedTransactor(db, 2);
    for (const id of ["a", "b", "c"]) await tx.run((repos) => repos.stores.insert(store(id)));
    await expect(tx.run(async (repos) => {
      await repos.stores.insert(store("d"));
      throw new Error("refused");
    })).rejects.toThrow("refused");
    // A run that broke a constraint leaves the batch usable, as a transaction of its own would.
    await expect(tx.run((repos) => repos.stores.insert(store("a")))).rejects.toThrow();
    await tx.run((repos) => repos.stores.insert(store("e")));
    expect(await tx.run(async (repos) => (await repos.stores.get("d")) === null)).toBe(true);
    await tx.flush();
    const ids = await db.read(async (repos) => Promise.all(["a", "b", "c", "d", "e"].map(async (id) => (await repos.stores.get(id))?.id ?? null)));
    expect(ids).toEqual(["a", "b", "c", null, "e"]);
  });

  it("commits a full batch before the next begins, and abandoning undoes only the open one", async () => {
    const db = memoryTransactor();
    const tx = batchedTransactor(db, 2);
    for (const id of ["a", "b", "c"]) await tx.run((repos) => repos.stores.insert(store(id)));
    await tx.abandon();
    const ids = await db.read(async (repos) => Promise.all(["a", "b", "c"].map(async (id) => (await repos.stores.get(id))?.id ?? null)));
    expect(ids).toEqual(["a", "b", null]);
  });

  it("decorates each batch's repositories once", async () => {
    let wrapped = 0;
    const tx = batchedTransactor(memoryTransactor(), 3, (repos) => (wrapped++, repos));
    for (let i = 0; i < 7; i++) await tx.run(async () => undefined);
    await tx.flush();
    expect(wrapped).toBe(3);
  });
});
