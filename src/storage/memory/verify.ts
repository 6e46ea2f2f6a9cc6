import type { Discrepancy } from "../verify.ts";
import type { EntryRow, MemoryState, MemberRow, Tenant } from "./state.ts";

/**
 * `verifyLedger` of src/storage/verify.ts on the in-memory state: the same checks, names and
 * figures, recomputed from lots, entries, allocations and holds against the cached member rows.
 * Read it between transactions: a running one's writes are part of the state.
 */
export function verifyMemoryLedger(state: MemoryState, storeId?: string): Discrepancy[] {
  // Its checks read every entry and allocation, which a tally does not keep.
  if (state.entries === "tallied") throw new Error("this database keeps its ledger entries only as a tally (a replay's scratch ledger): it cannot be verified");
  const found: Discrepancy[] = [];
  const stores = storeId === undefined ? [...state.tenants.keys()] : [storeId];
  const checks: Array<(t: Tenant, report: Report) => void> = [
    balanceIsEntries, balanceIsLots, pendingIsLots, heldIsHolds, lotsAreAllocations, entriesRunningSum, entriesHaveNoGaps, issuedIsAccounted,
  ];
  // Check by check, as the SQL reports them.
  for (const check of checks) {
    for (const id of stores) {
      const t = state.tenants.get(id);
      if (t) check(t, (memberId, name, expected, actual, detail) => found.push({ storeId: id, memberId, check: name, expected, actual, ...(detail ? { detail } : {}) }));
    }
  }
  return found;
}

type Report = (memberId: string, check: string, expected: number, actual: number, detail?: string) => void;

function sumBy<T>(rows: Iterable<T>, key: (row: T) => string | null, value: (row: T) => number): Map<string, number> {
  const sums = new Map<string, number>();
  for (const row of rows) {
    const k = key(row);
    if (k !== null) sums.set(k, (sums.get(k) ?? 0) + value(row));
  }
  return sums;
}

function eachMember(t: Tenant, sums: Map<string, number>, check: string, expected: (m: MemberRow) => number, actual: (m: MemberRow, sum: number) => number, report: Report): void {
  for (const m of t.members.values()) {
    const e = expected(m);
    const a = actual(m, sums.get(m.memberId) ?? 0);
    if (e !== a) report(m.memberId, check, e, a);
  }
}

function balanceIsEntries(t: Tenant, report: Report): void {
  const deltas = sumBy(t.entries.values(), (e) => e.memberId, (e) => e.delta);
  eachMember(t, deltas, "balance = sum of entry deltas", (m) => m.balance, (_m, sum) => sum, report);
}

function balanceIsLots(t: Tenant, report: Report): void {
  const remaining = sumBy(t.lots.values(), (l) => (l.status === "available" ? l.memberId : null), (l) => l.remaining);
  eachMember(t, remaining, "balance = remaining of available lots - debt", (m) => m.balance, (m, sum) => sum - m.debt, report);
}

function pendingIsLots(t: Tenant, report: Report): void {
  const remaining = sumBy(t.lots.values(), (l) => (l.status === "pending" ? l.memberId : null), (l) => l.remaining);
  eachMember(t, remaining, "pending = remaining of pending lots", (m) => m.pending, (_m, sum) => sum, report);
}

function heldIsHolds(t: Tenant, report: Report): void {
  const held = sumBy(t.holds.values(), (h) => (h.status === "held" ? h.memberId : null), (h) => h.points);
  eachMember(t, held, "held = points of open holds", (m) => m.held, (_m, sum) => sum, report);
}

function lotsAreAllocations(t: Tenant, report: Report): void {
  const allocated = sumBy(t.allocations.values(), (a) => a.lotId, (a) => a.points);
  for (const l of t.lots.values()) {
    const expected = l.points - (allocated.get(l.id) ?? 0);
    if (l.remaining !== expected) report(l.memberId, "lot remaining = points - allocations", expected, l.remaining, l.id);
  }
}

function entriesBySeq(t: Tenant): Map<string, EntryRow[]> {
  const byMember = new Map<string, EntryRow[]>();
  for (const e of t.entries.values()) {
    const list = byMember.get(e.memberId) ?? byMember.set(e.memberId, []).get(e.memberId)!;
    list.push(e);
  }
  for (const list of byMember.values()) list.sort((a, b) => a.seq - b.seq);
  return byMember;
}

function entriesRunningSum(t: Tenant, report: Report): void {
  for (const [memberId, entries] of entriesBySeq(t)) {
    let running = 0;
    for (const e of entries) {
      running += e.delta;
      if (running !== e.balanceAfter) report(memberId, "entry balanceAfter = running sum of deltas", running, e.balanceAfter, e.id);
    }
  }
}

function entriesHaveNoGaps(t: Tenant, report: Report): void {
  const byMember = entriesBySeq(t);
  for (const m of t.members.values()) {
    const entries = byMember.get(m.memberId) ?? [];
    const top = entries.length === 0 ? 0 : entries[entries.length - 1]!.seq;
    if (m.seq !== entries.length || m.seq !== top) report(m.memberId, "entry sequence has no gaps", m.seq, entries.length);
  }
}

const ISSUED = new Set(["earn", "pending", "import"]);
const SPENT = new Set(["redeem", "capture", "expire", "reverse", "return"]);

/** Every point issued is still outstanding, pending, held, or was redeemed, expired, reversed or deducted. */
function issuedIsAccounted(t: Tenant, report: Report): void {
  const issued = sumBy(t.entries.values(), (e) => e.memberId, (e) => (ISSUED.has(e.type) || (e.type === "adjust" && e.points > 0) ? e.points : 0));
  const spent = sumBy(t.entries.values(), (e) => e.memberId, (e) => (SPENT.has(e.type) || (e.type === "adjust" && e.points < 0) ? -e.points : 0));
  for (const m of t.members.values()) {
    const expected = issued.get(m.memberId) ?? 0;
    const actual = m.balance + m.pending + m.held + (spent.get(m.memberId) ?? 0);
    if (expected !== actual) report(m.memberId, "issued = outstanding + pending + held + redeemed + expired + reversed + deducted", expected, actual);
  }
}
