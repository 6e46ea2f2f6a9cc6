import type { ExportPage, Repositories } from "../core/ports/repositories.ts";
import { requireStore, type Services } from "./context.ts";

export type ExportKind = "members" | "ledger" | "orders";

const PAGE = 1_000;

/**
 * The rows of an export, page by page, each page in its own short transaction. Pages follow a
 * keyset cursor, so rows written during the export are either included once or not at all.
 */
export async function* exportRows(services: Services, storeId: string, kind: ExportKind, range: { from?: Date; to?: Date }): AsyncGenerator<Record<string, unknown>> {
  await services.tx.run((repos) => requireStore(repos, storeId));
  let after: string | null = null;
  do {
    const cursor: string | null = after;
    const page: ExportPage = await services.tx.run((repos: Repositories) => repos.exports[kind](storeId, range, cursor, PAGE));
    for (const row of page.rows) yield row;
    after = page.next;
  } while (after !== null);
}
