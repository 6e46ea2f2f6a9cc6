import { badCell } from "../../core/imports/cells.ts";
import { memberRow, type MemberRow } from "../../core/imports/member-row.ts";
import type { Unit } from "../../core/imports/units.ts";
import { requalify } from "../tiers.ts";
import { BatchOutcome, type BatchContext } from "./batch.ts";

/**
 * Member attributes, as `PUT /v1/members/{memberId}` sets them: an empty cell leaves the value as
 * it is, a tier is the member's manual floor (and must be one of the store's tiers). Rows of one
 * member apply in the file's order.
 */
export async function applyMembers(ctx: BatchContext, units: readonly Unit[]): Promise<BatchOutcome> {
  const { repos, store, now } = ctx;
  const out = new BatchOutcome();
  out.unreadable(units);
  const rows = units.flatMap((u) => u.rows);
  const tiers = rows.some((r) => r.cells.tier !== undefined) ? await repos.tiers.list(store.id) : [];
  const codes = new Set(tiers.map((t) => t.code));
  const valid: MemberRow[] = [];
  for (const row of rows) {
    const problem = badCell(row.cells);
    const result = problem ? { ok: false as const, message: problem } : memberRow(row.cells);
    if (!result.ok) out.reject(row.line, result.message);
    else if (result.value.attributes.tier && !codes.has(result.value.attributes.tier)) {
      out.reject(row.line, `tier: the store has no tier "${result.value.attributes.tier}"${codes.size > 0 ? ` (its tiers: ${[...codes].join(", ")})` : ""}`);
    } else valid.push(result.value);
  }
  if (valid.length === 0) return out;
  // Created and locked in sorted order up front, so the batch never deadlocks with other writers.
  await repos.members.createAndLockBooks(store.id, [...new Set(valid.map((v) => v.memberId))], now);
  for (const { memberId, attributes } of valid) {
    const { tier, ...rest } = attributes;
    await repos.members.upsert(store.id, memberId, rest, now);
    // A tier set by the merchant is the member's floor; qualification may lift them above it.
    if (tier !== undefined) await requalify(repos, store, [memberId], now, { manualTier: tier, actor: ctx.actor }, tiers);
  }
  out.imported += valid.length;
  return out;
}
