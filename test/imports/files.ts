import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Transactor } from "../../src/core/ports/repositories.ts";
import { createStore } from "../../src/services/stores.ts";
import type { Services } from "../../src/services/context.ts";

/** A folder for a test's CSV files, removed by `cleanup`. */
export function scratch(prefix = "pb-import-") {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  let n = 0;
  return {
    dir,
    file(text: string, name = `f${n++}.csv`): string {
      const path = join(dir, name);
      writeFileSync(path, text);
      return path;
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Text written by the CLI, as a non-terminal reader gets it. */
export function captured() {
  let text = "";
  return { out: { write: (s: string) => void (text += s), isTTY: false }, text: () => text };
}

export async function newStore(services: Services, name = "Import store"): Promise<string> {
  const { store } = await createStore(services, { name, currency: "USD", timezone: "UTC" }, { id: "op", role: "operator" });
  return store.id;
}

/** A balances file: row i gives member `m{i % members}` i + 1 points. */
export function balancesFile(rows: number, members: number): { text: string; sum: number } {
  const lines = ["memberId,points,expiresAt,reason"];
  let sum = 0;
  for (let i = 0; i < rows; i++) {
    lines.push(`m${i % members},${i + 1},,row ${i}`);
    sum += i + 1;
  }
  return { text: `${lines.join("\n")}\n`, sum };
}

/** Import entries of a store: how many, and their points. */
export async function importEntries(tx: Transactor, storeId: string, memberIds: readonly string[]): Promise<{ count: number; points: number }> {
  let count = 0;
  let points = 0;
  for (const id of memberIds) {
    let cursor: number | null = null;
    for (;;) {
      const page = await tx.run((repos) => repos.ledger.activity(storeId, id, 500, cursor));
      for (const e of page.data) if (e.type === "import") { count++; points += e.points; }
      if (page.nextCursor === null) break;
      cursor = Number(page.nextCursor);
    }
  }
  return { count, points };
}
