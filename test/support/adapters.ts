import type { Transactor } from "../../src/core/ports/repositories.ts";
import { memoryTransactor } from "../../src/storage/memory/transactor.ts";
import type { MemoryState } from "../../src/storage/memory/state.ts";
import { verifyMemoryLedger } from "../../src/storage/memory/verify.ts";
import type { Database } from "../../src/storage/sql.ts";
import { transactor } from "../../src/storage/transactor.ts";
import { verifyLedger, type Discrepancy } from "../../src/storage/verify.ts";
import { kindsUnderTest, openTestDatabase, type DatabaseKind } from "./db.ts";

export type AdapterKind = DatabaseKind | "memory";

/** The storage adapters a port-level test runs on: the databases under test, and the in-memory one. */
export function adaptersUnderTest(): AdapterKind[] {
  return [...kindsUnderTest(), "memory"];
}

/** One adapter behind the ports, with what a test needs to look underneath them. */
export type TestAdapter = {
  kind: AdapterKind;
  tx: Transactor;
  verify(storeId?: string): Promise<Discrepancy[]>;
  close(): Promise<void>;
} & ({ kind: DatabaseKind; db: Database } | { kind: "memory"; state: MemoryState });

export async function openAdapter(kind: AdapterKind): Promise<TestAdapter> {
  if (kind === "memory") {
    const tx = memoryTransactor();
    return { kind, tx, state: tx.state, verify: async (storeId) => verifyMemoryLedger(tx.state, storeId), close: async () => undefined };
  }
  const db = await openTestDatabase(kind);
  return { kind, db, tx: transactor(db), verify: (storeId) => verifyLedger(db, storeId), close: () => db.close() };
}
