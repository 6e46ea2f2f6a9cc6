import { newId } from "../ids.ts";
import { compareForSpending, isSpendable, spendableLots } from "./spending-order.ts";
import type {
  Allocation,
  ClawbackPolicy,
  Entry,
  EntryType,
  Hold,
  Lot,
  MemberBalance,
  Source,
} from "./types.ts";

export interface EntryInput {
  at: Date;
  actor: string;
  source: Source;
  reason?: string | null;
  explanation?: Record<string, unknown> | null;
}

export interface CreditInput extends EntryInput {
  points: number;
  type: "earn" | "adjust" | "import";
  earnedAt: Date;
  /** When the points become spendable; later than `at` makes the lot pending until then. */
  availableAt: Date;
  expiresAt: Date | null;
}

export interface DebitInput extends EntryInput {
  points: number;
  type: "redeem" | "adjust";
}

export type DebitResult =
  | { ok: true; entry: Entry }
  | { ok: false; code: "insufficient_points"; available: number };

export type HoldResult = { ok: true; hold: Hold; entry: Entry } | { ok: false; code: "insufficient_points"; available: number };

export interface DueWork {
  matured: number;
  expired: number;
  released: number;
}

/** Tells the constructor the lots are the book's own (`MemberBook.adopting`); not exported, so only this module can. */
const ADOPT = Symbol("adopt");

/**
 * One member's ledger, loaded under the member's row lock and changed in memory. Every operation
 * appends immutable entries and records which lots it touched; the storage adapter persists
 * exactly the changes listed by `changes()`. Nothing here knows about SQL or HTTP.
 */
export class MemberBook {
  private readonly lots = new Map<string, Lot>();
  private readonly holds = new Map<string, Hold>();
  private readonly created = new Set<string>();
  private readonly touched = new Set<string>();
  private readonly createdHolds = new Set<string>();
  private readonly touchedHolds = new Set<string>();
  private readonly entries: Entry[] = [];
  /** The member's pending and held points right after each entry, in the entries' order. */
  private readonly figures: Array<{ pending: number; held: number }> = [];
  /** The member's figures as loaded, before any entry of this book. */
  private readonly before: { balance: number; pending: number; held: number };
  private readonly allocations: Allocation[] = [];

  /** The loaded lots are copied (unless `adopting`): the book changes its own, never the caller's records. */
  constructor(
    private readonly state: MemberBalance,
    lots: Iterable<Lot>,
    holds: Iterable<Hold>,
    private readonly clawback: ClawbackPolicy,
    adopt?: typeof ADOPT,
  ) {
    this.before = { balance: state.balance, pending: state.pending, held: state.held };
    for (const lot of lots) this.lots.set(lot.id, adopt === ADOPT ? lot : { ...lot });
    for (const hold of holds) this.holds.set(hold.id, { ...hold, allocations: [...hold.allocations] });
  }

  /**
   * A book over a load made for it alone (a repository's, which nothing else keeps): its lots are
   * taken as they are, not copied. A replay opens a book for every input, six open lots each.
   */
  static adopting(state: MemberBalance, lots: Lot[], holds: Iterable<Hold>, clawback: ClawbackPolicy): MemberBook {
    return new MemberBook(state, lots, holds, clawback, ADOPT);
  }

  get balance(): MemberBalance {
    return { ...this.state };
  }

  lot(id: string): Lot | undefined {
    return this.lots.get(id);
  }

  hold(id: string): Hold | undefined {
    return this.holds.get(id);
  }

  /** Lots that can be spent at `now`, in spending order. */
  spendable(now: Date): Lot[] {
    return spendableLots(this.lots.values(), now);
  }

  changes() {
    return {
      state: { ...this.state },
      newLots: [...this.created].map((id) => this.lots.get(id)!),
      changedLots: [...this.touched].filter((id) => !this.created.has(id)).map((id) => this.lots.get(id)!),
      newHolds: [...this.createdHolds].map((id) => this.holds.get(id)!),
      changedHolds: [...this.touchedHolds].filter((id) => !this.createdHolds.has(id)).map((id) => this.holds.get(id)!),
      entries: [...this.entries],
      /** Pending and held points right after each entry (its `balanceAfter` is the balance). */
      figures: [...this.figures],
      /** Balance, pending and held as loaded, before the first of `entries`. */
      before: { ...this.before },
      allocations: [...this.allocations],
    };
  }

  /** Runs, in time order, everything due up to `now`: pending lots maturing, holds timing out, lots expiring. */
  settleDue(now: Date, actor = "system"): DueWork {
    const work: DueWork = { matured: 0, expired: 0, released: 0 };
    type Due = { at: number; kind: 0 | 1 | 2; id: string };
    const due: Due[] = [];
    for (const lot of this.lots.values()) {
      if (lot.status === "pending" && lot.availableAt.getTime() <= now.getTime()) {
        due.push({ at: lot.availableAt.getTime(), kind: 0, id: lot.id });
      }
    }
    for (const hold of this.holds.values()) {
      if (hold.status === "held" && hold.expiresAt.getTime() <= now.getTime()) {
        due.push({ at: hold.expiresAt.getTime(), kind: 1, id: hold.id });
      }
    }
    due.sort((a, b) => a.at - b.at || a.kind - b.kind);
    const firstEntry = this.entries.length;
    for (let i = 0; i < due.length; ) {
      const t = due[i]!.at;
      const at = new Date(t);
      this.expireDue(at, actor);
      // Points arriving at the same instant (lots maturing, holds timing out) arrive together: debt
      // is repaid once from all of them, nearest expiry first, not from whichever was loaded first.
      const debt = this.state.debt;
      const arrivedFrom = this.entries.length;
      this.state.debt = 0;
      for (; i < due.length && due[i]!.at === t; i++) {
        const item = due[i]!;
        if (item.kind === 0) {
          // A lot reversed to nothing while pending turns available without maturing any points.
          if (this.mature(item.id, at, actor)) work.matured++;
        } else {
          this.release(item.id, { at, actor, source: this.holds.get(item.id)!.source, reason: "hold timed out" });
          work.released++;
        }
      }
      this.state.debt = debt;
      const arrived = this.entries.slice(arrivedFrom).filter((e) => e.type === "mature" || e.type === "release");
      if (arrived.length > 0) this.repayDebt(arrived[arrived.length - 1]!.id);
    }
    this.expireDue(now, actor);
    // Count expire entries, so points a timed-out hold returns to an expired lot are counted too.
    work.expired = this.entries.slice(firstEntry).filter((e) => e.type === "expire").length;
    return work;
  }

  credit(input: CreditInput): { lot: Lot; entry: Entry } {
    assertPositive(input.points);
    const pending = input.availableAt.getTime() > input.at.getTime();
    const lot: Lot = {
      id: newId("lot"),
      memberId: this.state.memberId,
      points: input.points,
      remaining: input.points,
      status: pending ? "pending" : "available",
      earnedAt: input.earnedAt,
      availableAt: input.availableAt,
      expiresAt: input.expiresAt,
      source: input.source,
    };
    this.lots.set(lot.id, lot);
    this.created.add(lot.id);
    if (pending) {
      this.state.pending += lot.points;
      const entry = this.append("pending", lot.points, 0, input, lot.id);
      return { lot, entry };
    }
    this.state.balance += lot.points;
    const entry = this.append(input.type, lot.points, lot.points, input, lot.id);
    this.repayDebt(entry.id);
    // A lot whose validity already ran out (backfilled points) expires at once, visibly.
    this.expireDue(input.at, input.actor);
    return { lot, entry };
  }

  debit(input: DebitInput): DebitResult {
    assertPositive(input.points);
    if (this.state.balance < input.points) {
      return { ok: false, code: "insufficient_points", available: Math.max(0, this.state.balance) };
    }
    this.state.balance -= input.points;
    const entry = this.append(input.type, -input.points, -input.points, input, null);
    this.takeFifo(entry.id, input.points, input.at);
    return { ok: true, entry };
  }

  placeHold(input: EntryInput & { points: number; expiresAt: Date }): HoldResult {
    assertPositive(input.points);
    if (this.state.balance < input.points) {
      return { ok: false, code: "insufficient_points", available: Math.max(0, this.state.balance) };
    }
    const holdId = newId("hold");
    this.state.balance -= input.points;
    this.state.held += input.points;
    const entry = this.append("hold", -input.points, -input.points, input, null, holdId);
    const taken = this.takeFifo(entry.id, input.points, input.at);
    const hold: Hold = {
      id: holdId,
      memberId: this.state.memberId,
      points: input.points,
      status: "held",
      expiresAt: input.expiresAt,
      entryId: entry.id,
      source: input.source,
      allocations: taken,
    };
    this.holds.set(holdId, hold);
    this.createdHolds.add(holdId);
    return { ok: true, hold, entry };
  }

  capture(holdId: string, input: EntryInput): Entry {
    const hold = this.openHold(holdId);
    hold.status = "captured";
    this.touchedHolds.add(holdId);
    this.state.held -= hold.points;
    return this.append("capture", -hold.points, 0, input, null, holdId);
  }

  /** Returns held points to the lots they came from, with their original expiry. */
  release(holdId: string, input: EntryInput): Entry {
    const hold = this.openHold(holdId);
    hold.status = "released";
    this.touchedHolds.add(holdId);
    this.state.held -= hold.points;
    this.state.balance += hold.points;
    const entry = this.append("release", hold.points, hold.points, input, null, holdId);
    this.giveBack(entry, hold.allocations, input);
    return entry;
  }

  /**
   * Gives spent points back (an order refunded or canceled after its cashback was captured) to the
   * lots they were taken from, with their original expiry; points whose lot has expired meanwhile
   * expire at once.
   */
  returnSpent(input: EntryInput & { parts: ReadonlyArray<{ lotId: string; points: number }> }): Entry {
    const total = input.parts.reduce((s, p) => s + p.points, 0);
    assertPositive(total);
    this.state.balance += total;
    const entry = this.append("return", total, total, input, null);
    this.giveBack(entry, input.parts, input);
    return entry;
  }

  /** Puts points back into the lots they came from; new points repay debt first, expired ones expire. */
  private giveBack(entry: Entry, parts: ReadonlyArray<{ lotId: string; points: number }>, input: EntryInput): void {
    // What fell due before the return expires first, at its own expiry (due work catching up).
    this.expireDue(input.at, input.actor);
    for (const part of parts) {
      if (part.points === 0) continue;
      const lot = this.mustLot(part.lotId);
      lot.remaining += part.points;
      this.touched.add(lot.id);
      this.allocations.push({ entryId: entry.id, lotId: lot.id, points: -part.points });
    }
    // At the return's time: the catch-up above may have written entries dated earlier.
    this.repayDebt(entry.id, entry.at);
    // Points back in a lot past its expiry expire at once: at the return, not back-dated to the
    // lot's expiry, when they were still spent or held. A month already reported keeps its figures.
    this.expireDue(input.at, input.actor, input.at);
  }

  /**
   * Takes back points of an award: first from the award's own lot, then from the member's other
   * lots nearest expiry first; a shortfall follows the clawback policy.
   */
  reverse(input: EntryInput & { points: number; lotId?: string }): { entry: Entry; writtenOff: number } {
    assertPositive(input.points);
    let left = input.points;
    let delta = 0;
    const parts: Array<{ lot: Lot; points: number }> = [];
    const own = input.lotId ? this.mustLot(input.lotId) : undefined;
    if (own && own.remaining > 0 && (own.status === "pending" || isSpendable(own, input.at))) {
      const take = Math.min(left, own.remaining);
      parts.push({ lot: own, points: take });
      if (own.status === "pending") this.state.pending -= take;
      else delta -= take;
      left -= take;
    }
    for (const lot of spendableLots(this.lots.values(), input.at)) {
      if (left === 0) break;
      if (lot === own) continue;
      const take = Math.min(left, lot.remaining);
      parts.push({ lot, points: take });
      delta -= take;
      left -= take;
    }
    let writtenOff = 0;
    if (left > 0 && this.clawback === "allow_negative") {
      this.state.debt += left;
      delta -= left;
    } else {
      writtenOff = left;
    }
    this.state.balance += delta;
    const entry = this.append("reverse", -(input.points - writtenOff), delta, input, own?.id ?? null);
    for (const part of parts) {
      part.lot.remaining -= part.points;
      this.touched.add(part.lot.id);
      this.allocations.push({ entryId: entry.id, lotId: part.lot.id, points: part.points });
    }
    if (writtenOff > 0) {
      this.append("write_off", -writtenOff, 0, { ...input, explanation: { shortfall: writtenOff, policy: "floor_zero" } }, own?.id ?? null);
    }
    return { entry, writtenOff };
  }

  private mature(lotId: string, at: Date, actor: string): boolean {
    const lot = this.mustLot(lotId);
    lot.status = "available";
    this.touched.add(lot.id);
    if (lot.remaining === 0) return false; // fully reversed while pending: nothing becomes spendable
    this.state.pending -= lot.remaining;
    this.state.balance += lot.remaining;
    const entry = this.append("mature", lot.remaining, lot.remaining, { at, actor, source: lot.source }, lot.id);
    this.repayDebt(entry.id);
    return true;
  }

  /**
   * Writes an `expire` entry for each available lot whose expiry has passed and that still holds
   * points, dated at the lot's expiry (or at `dated`, for points that came back after it).
   */
  private expireDue(now: Date, actor: string, dated?: Date): number {
    const due = [...this.lots.values()]
      .filter((l) => l.status === "available" && l.remaining > 0 && l.expiresAt !== null && l.expiresAt.getTime() <= now.getTime())
      .sort(compareForSpending);
    for (const lot of due) {
      const points = lot.remaining;
      lot.remaining = 0;
      this.touched.add(lot.id);
      this.state.balance -= points;
      const entry = this.append("expire", -points, -points, { at: dated ?? lot.expiresAt ?? now, actor, source: lot.source }, lot.id);
      this.allocations.push({ entryId: entry.id, lotId: lot.id, points });
    }
    return due.length;
  }

  /** New credits repay debt first: the repaid points leave the lots they landed in (at `at`, by default the last entry's time). */
  private repayDebt(entryId: string, at: Date = this.entries[this.entries.length - 1]?.at ?? new Date(0)): void {
    if (this.state.debt === 0) return;
    const amount = Math.min(this.state.debt, this.spendableTotal(at));
    if (amount === 0) return;
    this.takeFifo(entryId, amount, at);
    this.state.debt -= amount;
  }

  private spendableTotal(at: Date): number {
    let total = 0;
    for (const lot of this.lots.values()) if (isSpendable(lot, at)) total += lot.remaining;
    return total;
  }

  private takeFifo(entryId: string, points: number, at: Date): Array<{ lotId: string; points: number }> {
    let left = points;
    const taken: Array<{ lotId: string; points: number }> = [];
    for (const lot of spendableLots(this.lots.values(), at)) {
      if (left === 0) break;
      const take = Math.min(left, lot.remaining);
      lot.remaining -= take;
      left -= take;
      this.touched.add(lot.id);
      this.allocations.push({ entryId, lotId: lot.id, points: take });
      taken.push({ lotId: lot.id, points: take });
    }
    if (left !== 0) throw new Error(`ledger invariant broken: ${left} points not covered by lots of ${this.state.memberId}`);
    return taken;
  }

  private append(type: EntryType, points: number, delta: number, input: EntryInput, lotId: string | null, holdId: string | null = null): Entry {
    const entry: Entry = {
      id: newId("ent"),
      memberId: this.state.memberId,
      seq: ++this.state.seq,
      type,
      points,
      delta,
      balanceAfter: this.state.balance,
      at: input.at,
      actor: input.actor,
      reason: input.reason ?? null,
      source: input.source,
      lotId,
      holdId,
      explanation: input.explanation ?? null,
    };
    this.entries.push(entry);
    this.figures.push({ pending: this.state.pending, held: this.state.held });
    return entry;
  }

  private openHold(holdId: string): Hold {
    const hold = this.holds.get(holdId);
    if (!hold) throw new Error(`hold ${holdId} is not loaded`);
    if (hold.status !== "held") throw new Error(`hold ${holdId} is ${hold.status}`);
    return hold;
  }

  private mustLot(id: string): Lot {
    const lot = this.lots.get(id);
    if (!lot) throw new Error(`lot ${id} is not loaded`);
    return lot;
  }
}

function assertPositive(points: number): void {
  if (!Number.isSafeInteger(points) || points <= 0) throw new Error(`points must be a positive integer, got ${points}`);
}
