/**
 * The ledger core on its own (SPEC §3 Ledger, Redeem methods and redemptions): no database, one
 * MemberBook per test, exact figures after every step.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MemberBook, type CreditInput } from "../../src/core/ledger/book.ts";
import type { ClawbackPolicy, Entry, Lot, Source } from "../../src/core/ledger/types.ts";

const SOURCE: Source = { type: "adjustment", ref: null };
const d = (iso: string) => new Date(iso);

function newBook(policy: ClawbackPolicy = "allow_negative", memberId = "m1"): MemberBook {
  return new MemberBook({ memberId, balance: 0, pending: 0, held: 0, debt: 0, seq: 0 }, [], [], policy);
}

const base = (at: Date, reason: string | null = null) => ({ at, actor: "staff", source: SOURCE, reason });

/** Credits `points` earned and available at `at` (unless `availableAt` is later). */
function earn(book: MemberBook, points: number, at: string, opts: { expiresAt?: string | null; availableAt?: string; earnedAt?: string } = {}): Lot {
  const input: CreditInput = {
    ...base(d(at)),
    type: "earn",
    points,
    earnedAt: d(opts.earnedAt ?? at),
    availableAt: d(opts.availableAt ?? at),
    expiresAt: opts.expiresAt ? d(opts.expiresAt) : null,
  };
  return book.credit(input).lot;
}

const remaining = (book: MemberBook, ...lots: Lot[]) => lots.map((l) => book.lot(l.id)!.remaining);
const entries = (book: MemberBook) => book.changes().entries;
const summary = (es: Entry[]) => es.map((e) => [e.type, e.points, e.delta, e.balanceAfter]);
const allocationsOf = (book: MemberBook, entry: Entry) =>
  book.changes().allocations.filter((a) => a.entryId === entry.id).map((a) => [a.lotId, a.points]);

describe("credit", () => {
  it("an available credit adds to the balance and opens a full lot", () => {
    const book = newBook();
    const { lot, entry } = book.credit({
      ...base(d("2026-01-10T00:00:00Z"), "welcome"), type: "adjust", points: 120,
      earnedAt: d("2026-01-10T00:00:00Z"), availableAt: d("2026-01-10T00:00:00Z"), expiresAt: d("2027-01-10T00:00:00Z"),
    });
    expect(lot).toMatchObject({ memberId: "m1", points: 120, remaining: 120, status: "available", expiresAt: d("2027-01-10T00:00:00Z") });
    expect(entry).toMatchObject({ type: "adjust", points: 120, delta: 120, balanceAfter: 120, seq: 1, lotId: lot.id, reason: "welcome", actor: "staff" });
    expect(book.balance).toEqual({ memberId: "m1", balance: 120, pending: 0, held: 0, debt: 0, seq: 1 });
  });

  it("a credit that becomes available later is pending: visible, not spendable, delta 0", () => {
    const book = newBook();
    const lot = earn(book, 80, "2026-01-01T00:00:00Z", { availableAt: "2026-01-04T00:00:00Z" });
    expect(lot.status).toBe("pending");
    expect(summary(entries(book))).toEqual([["pending", 80, 0, 0]]);
    expect(book.balance).toMatchObject({ balance: 0, pending: 80 });
    expect(book.debit({ ...base(d("2026-01-02T00:00:00Z")), type: "redeem", points: 1 })).toEqual({ ok: false, code: "insufficient_points", available: 0 });
    expect(book.spendable(d("2026-01-02T00:00:00Z"))).toEqual([]);

    const work = book.settleDue(d("2026-01-04T00:00:00Z"));
    expect(work).toEqual({ matured: 1, expired: 0, released: 0 });
    expect(book.lot(lot.id)).toMatchObject({ status: "available", remaining: 80 });
    expect(summary(entries(book))).toEqual([["pending", 80, 0, 0], ["mature", 80, 80, 80]]);
    expect(entries(book)[1]!.at).toEqual(d("2026-01-04T00:00:00Z"));
    expect(book.balance).toMatchObject({ balance: 80, pending: 0 });
  });

  it("refuses zero, negative and fractional points", () => {
    const book = newBook();
    for (const points of [0, -5, 1.5]) {
      expect(() => earn(book, points, "2026-01-01T00:00:00Z")).toThrow(/positive integer/);
      expect(() => book.debit({ ...base(d("2026-01-01T00:00:00Z")), type: "redeem", points })).toThrow(/positive integer/);
    }
    expect(entries(book)).toEqual([]);
  });
});

describe("debit: spending order", () => {
  it("takes the nearest expiry first, older lots first on ties, never-expiring lots last", () => {
    const book = newBook();
    const never = earn(book, 100, "2026-01-01T00:00:00Z"); // oldest, but never expires: spent last
    const june = earn(book, 100, "2026-01-03T00:00:00Z", { expiresAt: "2026-06-01T00:00:00Z" });
    const marchYoung = earn(book, 100, "2026-01-05T00:00:00Z", { expiresAt: "2026-03-01T00:00:00Z" });
    const marchOld = earn(book, 50, "2026-01-02T00:00:00Z", { expiresAt: "2026-03-01T00:00:00Z" });
    const now = d("2026-01-10T00:00:00Z");

    expect(book.spendable(now).map((l) => l.id)).toEqual([marchOld.id, marchYoung.id, june.id, never.id]);

    const first = book.debit({ ...base(now), type: "redeem", points: 120 });
    expect(first.ok).toBe(true);
    if (!first.ok) return;
    expect(first.entry).toMatchObject({ type: "redeem", points: -120, delta: -120, balanceAfter: 230, lotId: null });
    expect(allocationsOf(book, first.entry)).toEqual([[marchOld.id, 50], [marchYoung.id, 70]]);
    expect(remaining(book, marchOld, marchYoung, june, never)).toEqual([0, 30, 100, 100]);

    const second = book.debit({ ...base(now), type: "redeem", points: 180 });
    expect(second.ok && allocationsOf(book, second.entry)).toEqual([[marchYoung.id, 30], [june.id, 100], [never.id, 50]]);
    expect(remaining(book, marchOld, marchYoung, june, never)).toEqual([0, 0, 0, 50]);
    expect(book.balance).toMatchObject({ balance: 50, seq: 6 });
  });

  it("refuses with a value, not an exception, and changes nothing", () => {
    const book = newBook();
    const lot = earn(book, 500, "2026-01-01T00:00:00Z");
    const before = book.changes();
    const result = book.debit({ ...base(d("2026-01-02T00:00:00Z")), type: "redeem", points: 501 });
    expect(result).toEqual({ ok: false, code: "insufficient_points", available: 500 });
    expect(book.changes()).toEqual(before);
    expect(book.lot(lot.id)!.remaining).toBe(500);

    const exact = book.debit({ ...base(d("2026-01-02T00:00:00Z")), type: "adjust", points: 500 });
    expect(exact.ok && exact.entry).toMatchObject({ type: "adjust", points: -500, balanceAfter: 0 });
    expect(book.placeHold({ ...base(d("2026-01-02T00:00:00Z")), points: 1, expiresAt: d("2026-01-03T00:00:00Z") }))
      .toEqual({ ok: false, code: "insufficient_points", available: 0 });
  });

  it("a lot is not spendable at the very instant it expires", () => {
    const book = newBook();
    earn(book, 100, "2026-01-01T00:00:00Z", { expiresAt: "2026-02-01T00:00:00Z" });
    expect(book.spendable(d("2026-01-31T23:59:59.999Z"))).toHaveLength(1);
    expect(book.spendable(d("2026-02-01T00:00:00Z"))).toEqual([]);
    expect(book.settleDue(d("2026-02-01T00:00:00Z"))).toEqual({ matured: 0, expired: 1, released: 0 });
    expect(book.debit({ ...base(d("2026-02-01T00:00:00Z")), type: "redeem", points: 1 })).toEqual({ ok: false, code: "insufficient_points", available: 0 });
  });
});

describe("holds", () => {
  it("a hold reserves points from lots; capture spends them for good", () => {
    const book = newBook();
    const a = earn(book, 100, "2026-01-01T00:00:00Z", { expiresAt: "2026-04-01T00:00:00Z" });
    const b = earn(book, 100, "2026-01-02T00:00:00Z");
    const held = book.placeHold({ ...base(d("2026-01-10T00:00:00Z")), points: 150, expiresAt: d("2026-01-10T00:30:00Z") });
    expect(held.ok).toBe(true);
    if (!held.ok) return;
    expect(held.hold).toMatchObject({ memberId: "m1", points: 150, status: "held", entryId: held.entry.id, allocations: [{ lotId: a.id, points: 100 }, { lotId: b.id, points: 50 }] });
    expect(held.entry).toMatchObject({ type: "hold", points: -150, delta: -150, balanceAfter: 50, holdId: held.hold.id });
    expect(book.balance).toMatchObject({ balance: 50, held: 150 });
    expect(remaining(book, a, b)).toEqual([0, 50]);

    const captured = book.capture(held.hold.id, base(d("2026-01-10T00:10:00Z"), "order paid"));
    expect(captured).toMatchObject({ type: "capture", points: -150, delta: 0, balanceAfter: 50, holdId: held.hold.id });
    expect(book.balance).toMatchObject({ balance: 50, held: 0 });
    expect(book.hold(held.hold.id)!.status).toBe("captured");
    expect(remaining(book, a, b)).toEqual([0, 50]);
    expect(() => book.release(held.hold.id, base(d("2026-01-10T00:20:00Z")))).toThrow(/is captured/);
    expect(() => book.capture(held.hold.id, base(d("2026-01-10T00:20:00Z")))).toThrow(/is captured/);
  });

  it("release returns the points to the lots they came from, with their original expiry", () => {
    const book = newBook();
    const a = earn(book, 100, "2026-01-01T00:00:00Z", { expiresAt: "2026-04-01T00:00:00Z" });
    const b = earn(book, 100, "2026-01-02T00:00:00Z", { expiresAt: "2026-09-01T00:00:00Z" });
    const held = book.placeHold({ ...base(d("2026-01-10T00:00:00Z")), points: 130, expiresAt: d("2026-01-10T00:30:00Z") });
    if (!held.ok) throw new Error("hold refused");
    // Spend the rest meanwhile, so the release can only go back to the original lots.
    const spent = book.debit({ ...base(d("2026-01-10T00:05:00Z")), type: "redeem", points: 70 });
    expect(spent.ok).toBe(true);
    expect(remaining(book, a, b)).toEqual([0, 0]);

    const entry = book.release(held.hold.id, base(d("2026-01-10T00:10:00Z"), "order canceled"));
    expect(entry).toMatchObject({ type: "release", points: 130, delta: 130, balanceAfter: 130, holdId: held.hold.id, reason: "order canceled" });
    expect(allocationsOf(book, entry)).toEqual([[a.id, -100], [b.id, -30]]);
    expect(book.lot(a.id)).toMatchObject({ remaining: 100, expiresAt: d("2026-04-01T00:00:00Z") });
    expect(book.lot(b.id)).toMatchObject({ remaining: 30, expiresAt: d("2026-09-01T00:00:00Z") });
    expect(book.balance).toMatchObject({ balance: 130, held: 0 });
    expect(book.changes().changedHolds).toEqual([]);
    expect(book.changes().newHolds.map((h) => h.status)).toEqual(["released"]);
  });

  it("releasing onto a lot that expired meanwhile expires the returned points at once", () => {
    const book = newBook();
    const lot = earn(book, 100, "2026-01-01T00:00:00Z", { expiresAt: "2026-02-01T00:00:00Z" });
    const held = book.placeHold({ ...base(d("2026-01-20T00:00:00Z")), points: 80, expiresAt: d("2026-03-01T00:00:00Z") });
    if (!held.ok) throw new Error("hold refused");
    expect(book.settleDue(d("2026-02-10T00:00:00Z"))).toEqual({ matured: 0, expired: 1, released: 0 });
    const release = book.release(held.hold.id, base(d("2026-02-10T00:00:00Z")));
    expect(release.balanceAfter).toBe(80);
    expect(summary(entries(book))).toEqual([
      ["earn", 100, 100, 100],
      ["hold", -80, -80, 20],
      ["expire", -20, -20, 0],
      ["release", 80, 80, 80],
      ["expire", -80, -80, 0],
    ]);
    // The 20 left in the lot expired at its expiry; the 80 held then expire when they come back,
    // so January's and February's figures stay what they were when the month was reported.
    expect(entries(book)[2]).toMatchObject({ lotId: lot.id, at: d("2026-02-01T00:00:00Z") });
    expect(entries(book)[4]).toMatchObject({ lotId: lot.id, at: d("2026-02-10T00:00:00Z") });
    expect(book.lot(lot.id)!.remaining).toBe(0);
    expect(book.balance).toMatchObject({ balance: 0, held: 0 });
  });

  it("a hold that times out is released by settleDue with its source and a reason", () => {
    const book = newBook();
    earn(book, 100, "2026-01-01T00:00:00Z");
    const redemption: Source = { type: "redemption", ref: "red_1" };
    const held = book.placeHold({ at: d("2026-01-01T10:00:00Z"), actor: "staff", source: redemption, points: 60, expiresAt: d("2026-01-01T10:30:00Z") });
    if (!held.ok) throw new Error("hold refused");
    expect(book.settleDue(d("2026-01-01T10:29:59.999Z"))).toEqual({ matured: 0, expired: 0, released: 0 });
    expect(book.settleDue(d("2026-01-01T10:30:00Z"))).toEqual({ matured: 0, expired: 0, released: 1 });
    expect(entries(book).at(-1)).toMatchObject({ type: "release", points: 60, actor: "system", source: redemption, reason: "hold timed out", at: d("2026-01-01T10:30:00Z"), balanceAfter: 100 });
    expect(book.hold(held.hold.id)!.status).toBe("released");
  });
});

describe("reversal and clawback", () => {
  it("takes from the award's own lot first, then from other lots nearest expiry first", () => {
    const book = newBook();
    const march = earn(book, 50, "2026-01-01T00:00:00Z", { expiresAt: "2026-03-01T00:00:00Z" });
    const june = earn(book, 50, "2026-01-01T00:00:00Z", { expiresAt: "2026-06-01T00:00:00Z" });
    const award = earn(book, 100, "2026-01-05T00:00:00Z");
    const { entry, writtenOff } = book.reverse({ ...base(d("2026-01-10T00:00:00Z"), "order refunded"), points: 130, lotId: award.id });
    expect(writtenOff).toBe(0);
    expect(entry).toMatchObject({ type: "reverse", points: -130, delta: -130, balanceAfter: 70, lotId: award.id });
    expect(allocationsOf(book, entry)).toEqual([[award.id, 100], [march.id, 30]]);
    expect(remaining(book, award, march, june)).toEqual([0, 20, 50]);
  });

  it("reverses a pending award out of its pending lot without touching the balance", () => {
    const book = newBook();
    earn(book, 40, "2026-01-01T00:00:00Z");
    const award = earn(book, 100, "2026-01-01T00:00:00Z", { availableAt: "2026-01-05T00:00:00Z" });
    const { entry } = book.reverse({ ...base(d("2026-01-02T00:00:00Z")), points: 100, lotId: award.id });
    expect(entry).toMatchObject({ type: "reverse", points: -100, delta: 0, balanceAfter: 40 });
    expect(book.balance).toMatchObject({ balance: 40, pending: 0, debt: 0 });
    // An emptied pending lot turns available without maturing anything: no entry, not counted.
    expect(book.settleDue(d("2026-01-06T00:00:00Z"))).toEqual({ matured: 0, expired: 0, released: 0 });
    expect(entries(book).map((e) => e.type)).toEqual(["earn", "pending", "reverse"]);
    expect(book.lot(award.id)).toMatchObject({ status: "available", remaining: 0 });
  });

  it("allow_negative keeps the shortfall as debt, which blocks spending and the next credits repay", () => {
    const book = newBook("allow_negative");
    const award = earn(book, 100, "2026-01-01T00:00:00Z");
    expect(book.debit({ ...base(d("2026-01-02T00:00:00Z")), type: "redeem", points: 80 }).ok).toBe(true);
    const { entry, writtenOff } = book.reverse({ ...base(d("2026-01-03T00:00:00Z")), points: 100, lotId: award.id });
    expect(writtenOff).toBe(0);
    expect(entry).toMatchObject({ type: "reverse", points: -100, delta: -100, balanceAfter: -80 });
    expect(allocationsOf(book, entry)).toEqual([[award.id, 20]]);
    expect(book.balance).toMatchObject({ balance: -80, debt: 80 });
    expect(book.debit({ ...base(d("2026-01-03T00:00:00Z")), type: "redeem", points: 1 })).toEqual({ ok: false, code: "insufficient_points", available: 0 });

    const small = book.credit({ ...base(d("2026-01-04T00:00:00Z")), type: "earn", points: 50, earnedAt: d("2026-01-04T00:00:00Z"), availableAt: d("2026-01-04T00:00:00Z"), expiresAt: null });
    expect(small.entry).toMatchObject({ points: 50, delta: 50, balanceAfter: -30 });
    expect(allocationsOf(book, small.entry)).toEqual([[small.lot.id, 50]]);
    expect(book.lot(small.lot.id)!.remaining).toBe(0);
    expect(book.balance).toMatchObject({ balance: -30, debt: 30 });

    const big = earn(book, 100, "2026-01-05T00:00:00Z");
    expect(book.lot(big.id)!.remaining).toBe(70);
    expect(book.balance).toMatchObject({ balance: 70, debt: 0 });
    expect(entries(book).at(-1)).toMatchObject({ type: "earn", points: 100, delta: 100, balanceAfter: 70 });
  });

  it("debt is repaid by points maturing and by released holds too", () => {
    const book = newBook("allow_negative");
    const award = earn(book, 100, "2026-01-01T00:00:00Z");
    const held = book.placeHold({ ...base(d("2026-01-01T01:00:00Z")), points: 100, expiresAt: d("2026-01-01T01:30:00Z") });
    if (!held.ok) throw new Error("hold refused");
    earn(book, 30, "2026-01-01T01:00:00Z", { availableAt: "2026-01-01T01:10:00Z" });
    book.reverse({ ...base(d("2026-01-01T01:05:00Z")), points: 50, lotId: award.id });
    expect(book.balance).toMatchObject({ balance: -50, debt: 50, held: 100, pending: 30 });
    expect(book.settleDue(d("2026-01-01T02:00:00Z"))).toEqual({ matured: 1, expired: 0, released: 1 });
    expect(summary(entries(book).slice(-2))).toEqual([["mature", 30, 30, -20], ["release", 100, 100, 80]]);
    expect(book.balance).toMatchObject({ balance: 80, debt: 0, held: 0, pending: 0 });
    expect(book.lot(award.id)!.remaining).toBe(80);
  });

  it("floor_zero writes the shortfall off and records it", () => {
    const book = newBook("floor_zero");
    const award = earn(book, 100, "2026-01-01T00:00:00Z");
    expect(book.debit({ ...base(d("2026-01-02T00:00:00Z")), type: "redeem", points: 80 }).ok).toBe(true);
    const { entry, writtenOff } = book.reverse({ ...base(d("2026-01-03T00:00:00Z"), "refund"), points: 100, lotId: award.id });
    expect(writtenOff).toBe(80);
    expect(entry).toMatchObject({ type: "reverse", points: -20, delta: -20, balanceAfter: 0 });
    expect(entries(book).at(-1)).toMatchObject({ type: "write_off", points: -80, delta: 0, balanceAfter: 0, lotId: award.id, reason: "refund", explanation: { shortfall: 80, policy: "floor_zero" } });
    expect(book.balance).toMatchObject({ balance: 0, debt: 0 });
    const next = earn(book, 50, "2026-01-04T00:00:00Z");
    expect(book.lot(next.id)!.remaining).toBe(50);
    expect(book.balance).toMatchObject({ balance: 50, debt: 0 });
  });
});

describe("settleDue", () => {
  it("matures, times out holds and expires lots in time order, once", () => {
    const book = newBook();
    const early = earn(book, 100, "2026-01-01T00:00:00Z", { expiresAt: "2026-01-11T00:00:00Z" });
    const pending = earn(book, 50, "2026-01-01T00:00:00Z", { availableAt: "2026-01-10T00:00:00Z" });
    const held = book.placeHold({ ...base(d("2026-01-02T00:00:00Z")), points: 80, expiresAt: d("2026-01-12T00:00:00Z") });
    if (!held.ok) throw new Error("hold refused");
    const before = entries(book).length;

    expect(book.settleDue(d("2026-01-20T00:00:00Z"))).toEqual({ matured: 1, expired: 2, released: 1 });
    const settled = entries(book).slice(before);
    expect(settled.map((e) => [e.type, e.points, e.balanceAfter, e.at.toISOString(), e.lotId])).toEqual([
      ["mature", 50, 70, "2026-01-10T00:00:00.000Z", pending.id],
      ["expire", -20, 50, "2026-01-11T00:00:00.000Z", early.id],
      ["release", 80, 130, "2026-01-12T00:00:00.000Z", null],
      // Held when the lot expired, the 80 expire when the hold gives them back: entries stay in time order.
      ["expire", -80, 50, "2026-01-12T00:00:00.000Z", early.id],
    ]);
    expect(book.balance).toEqual({ memberId: "m1", balance: 50, pending: 0, held: 0, debt: 0, seq: 7 });

    expect(book.settleDue(d("2026-01-20T00:00:00Z"))).toEqual({ matured: 0, expired: 0, released: 0 });
    expect(entries(book)).toHaveLength(7);
  });

  it("a hold released before its lot expires gives the points back in time to expire with the lot", () => {
    const book = newBook();
    const lot = earn(book, 100, "2026-01-01T00:00:00Z", { expiresAt: "2026-01-11T00:00:00Z" });
    const held = book.placeHold({ ...base(d("2026-01-05T00:00:00Z")), points: 60, expiresAt: d("2026-01-05T00:30:00Z") });
    if (!held.ok) throw new Error("hold refused");
    expect(book.settleDue(d("2026-01-20T00:00:00Z"))).toEqual({ matured: 0, expired: 1, released: 1 });
    expect(summary(entries(book).slice(2))).toEqual([["release", 60, 60, 100], ["expire", -100, -100, 0]]);
    expect(book.lot(lot.id)!.remaining).toBe(0);
  });

  it("a backfilled credit whose validity already ran out expires at once, visibly", () => {
    const book = newBook();
    const lot = earn(book, 40, "2026-03-01T00:00:00Z", { earnedAt: "2025-01-01T00:00:00Z", expiresAt: "2026-01-01T00:00:00Z" });
    expect(summary(entries(book))).toEqual([["earn", 40, 40, 40], ["expire", -40, -40, 0]]);
    expect(book.lot(lot.id)!.remaining).toBe(0);
  });
});

describe("balanceAfter chain", () => {
  it("every entry's balanceAfter is the previous one plus its delta, seq counting from the loaded state", () => {
    const book = new MemberBook({ memberId: "m9", balance: 0, pending: 0, held: 0, debt: 0, seq: 0 }, [], [], "allow_negative");
    const lot = earn(book, 300, "2026-01-01T00:00:00Z", { expiresAt: "2026-02-01T00:00:00Z" });
    earn(book, 100, "2026-01-01T00:00:00Z", { availableAt: "2026-01-03T00:00:00Z" });
    book.debit({ ...base(d("2026-01-02T00:00:00Z")), type: "redeem", points: 120 });
    const held = book.placeHold({ ...base(d("2026-01-02T00:00:00Z")), points: 50, expiresAt: d("2026-01-02T00:30:00Z") });
    if (!held.ok) throw new Error("hold refused");
    book.capture(held.hold.id, base(d("2026-01-02T00:10:00Z")));
    book.reverse({ ...base(d("2026-01-02T00:20:00Z")), points: 30, lotId: lot.id });
    book.settleDue(d("2026-03-01T00:00:00Z"));
    const all = entries(book);
    expect(summary(all)).toEqual([
      ["earn", 300, 300, 300],
      ["pending", 100, 0, 300],
      ["redeem", -120, -120, 180],
      ["hold", -50, -50, 130],
      ["capture", -50, 0, 130],
      ["reverse", -30, -30, 100],
      ["mature", 100, 100, 200],
      ["expire", -100, -100, 100],
    ]);
    expect(all.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    let running = 0;
    for (const e of all) {
      running += e.delta;
      expect(e.balanceAfter).toBe(running);
    }
    expect(book.balance).toEqual({ memberId: "m9", balance: 100, pending: 0, held: 0, debt: 0, seq: 8 });
  });

  it("continues the sequence of a book loaded from storage", () => {
    const lot: Lot = {
      id: "lot_a", memberId: "m2", points: 100, remaining: 60, status: "available",
      earnedAt: d("2025-12-01T00:00:00Z"), availableAt: d("2025-12-01T00:00:00Z"), expiresAt: null, source: SOURCE,
    };
    const book = new MemberBook({ memberId: "m2", balance: 60, pending: 0, held: 0, debt: 0, seq: 4 }, [lot], [], "allow_negative");
    const result = book.debit({ ...base(d("2026-01-01T00:00:00Z")), type: "redeem", points: 25 });
    expect(result.ok && result.entry).toMatchObject({ seq: 5, balanceAfter: 35 });
    expect(book.changes().changedLots).toEqual([{ ...lot, remaining: 35 }]);
    expect(lot.remaining).toBe(60); // the loaded record is copied, never mutated
  });

  it("takes a load made for it alone as it is, and changes it as a copied load changes", () => {
    const loadedLot = (): Lot => ({
      id: "lot_a", memberId: "m2", points: 100, remaining: 60, status: "available",
      earnedAt: d("2025-12-01T00:00:00Z"), availableAt: d("2025-12-01T00:00:00Z"), expiresAt: null, source: SOURCE,
    });
    const balance = () => ({ memberId: "m2", balance: 60, pending: 0, held: 0, debt: 0, seq: 4 });
    const given = loadedLot();
    const adopted = MemberBook.adopting(balance(), [given], [], "allow_negative");
    const copied = new MemberBook(balance(), [loadedLot()], [], "allow_negative");
    for (const book of [adopted, copied]) book.debit({ ...base(d("2026-01-01T00:00:00Z")), type: "redeem", points: 25 });
    expect(adopted.changes().changedLots).toEqual(copied.changes().changedLots);
    expect(adopted.changes().state).toEqual(copied.changes().state);
    expect(adopted.lot("lot_a")).toBe(given);
    expect(given.remaining).toBe(35);
  });
});

// ---------------------------------------------------------------------------------------------
// Property: random operations never break the ledger's invariants.
// ---------------------------------------------------------------------------------------------

const HOUR = 3_600_000;
type Op =
  | { kind: "credit"; points: number; validHours: number | null; pendingHours: number }
  | { kind: "debit"; points: number }
  | { kind: "hold"; points: number; ttlHours: number }
  | { kind: "capture"; pick: number }
  | { kind: "release"; pick: number }
  | { kind: "reverse"; points: number; pick: number | null }
  | { kind: "wait"; hours: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant("credit" as const), points: fc.integer({ min: 1, max: 500 }), validHours: fc.option(fc.integer({ min: 1, max: 300 })), pendingHours: fc.constantFrom(0, 0, 5, 50) }),
  fc.record({ kind: fc.constant("debit" as const), points: fc.integer({ min: 1, max: 600 }) }),
  fc.record({ kind: fc.constant("hold" as const), points: fc.integer({ min: 1, max: 400 }), ttlHours: fc.integer({ min: 1, max: 100 }) }),
  fc.record({ kind: fc.constant("capture" as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant("release" as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant("reverse" as const), points: fc.integer({ min: 1, max: 600 }), pick: fc.option(fc.nat()) }),
  fc.record({ kind: fc.constant("wait" as const), hours: fc.integer({ min: 1, max: 200 }) }),
);

function checkInvariants(book: MemberBook, lotIds: string[], holdIds: string[], now: Date): void {
  const state = book.balance;
  const lots = lotIds.map((id) => book.lot(id)!);
  for (const lot of lots) {
    expect(lot.remaining).toBeGreaterThanOrEqual(0);
    expect(lot.remaining).toBeLessThanOrEqual(lot.points);
  }
  const spendable = book.spendable(now).reduce((s, l) => s + l.remaining, 0);
  expect(state.balance).toBe(spendable - state.debt);
  // Due work is settled, so no available lot holds expired points either.
  expect(state.balance).toBe(lots.filter((l) => l.status === "available").reduce((s, l) => s + l.remaining, 0) - state.debt);
  expect(state.pending).toBe(lots.filter((l) => l.status === "pending").reduce((s, l) => s + l.remaining, 0));
  expect(state.held).toBe(holdIds.map((id) => book.hold(id)!).filter((h) => h.status === "held").reduce((s, h) => s + h.points, 0));
  expect(state.debt).toBeGreaterThanOrEqual(0);

  const { entries: all, allocations } = book.changes();
  expect(all.reduce((s, e) => s + e.delta, 0)).toBe(state.balance);
  let running = 0;
  all.forEach((e, i) => {
    running += e.delta;
    expect(e.balanceAfter).toBe(running);
    expect(e.seq).toBe(i + 1);
  });
  for (const lot of lots) {
    const drawn = allocations.filter((a) => a.lotId === lot.id).reduce((s, a) => s + a.points, 0);
    expect(lot.remaining).toBe(lot.points - drawn);
  }
  // issued = outstanding + pending + held + redeemed + expired + reversed + deducted (pointbook verify).
  const issued = all.filter((e) => ["earn", "pending", "import"].includes(e.type) || (e.type === "adjust" && e.points > 0)).reduce((s, e) => s + e.points, 0);
  const spent = all.filter((e) => ["redeem", "capture", "expire", "reverse"].includes(e.type) || (e.type === "adjust" && e.points < 0)).reduce((s, e) => s - e.points, 0);
  expect(issued).toBe(state.balance + state.pending + state.held + spent);
}

describe("property: random operations keep the ledger consistent", () => {
  it("balance = Σ remaining of spendable lots − debt = Σ entry deltas, lots within [0, points]", () => {
    fc.assert(
      fc.property(fc.constantFrom<ClawbackPolicy>("allow_negative", "floor_zero"), fc.array(opArb, { minLength: 1, maxLength: 40 }), (policy, ops) => {
        const book = newBook(policy);
        const lotIds: string[] = [];
        const holdIds: string[] = [];
        let now = new Date("2026-01-01T00:00:00Z");
        const at = () => ({ at: now, actor: "prop", source: SOURCE });
        for (const op of ops) {
          now = new Date(now.getTime() + HOUR);
          book.settleDue(now);
          const before = book.balance;
          const open = holdIds.filter((id) => book.hold(id)!.status === "held");
          switch (op.kind) {
            case "credit": {
              const availableAt = new Date(now.getTime() + op.pendingHours * HOUR);
              const expiresAt = op.validHours === null ? null : new Date(availableAt.getTime() + op.validHours * HOUR);
              lotIds.push(book.credit({ ...at(), type: "earn", points: op.points, earnedAt: now, availableAt, expiresAt }).lot.id);
              break;
            }
            case "debit": {
              const result = book.debit({ ...at(), type: "redeem", points: op.points });
              expect(result.ok).toBe(before.balance >= op.points);
              if (!result.ok) expect(result.available).toBe(Math.max(0, before.balance));
              break;
            }
            case "hold": {
              const result = book.placeHold({ ...at(), points: op.points, expiresAt: new Date(now.getTime() + op.ttlHours * HOUR) });
              expect(result.ok).toBe(before.balance >= op.points);
              if (result.ok) holdIds.push(result.hold.id);
              break;
            }
            case "capture":
              if (open.length > 0) book.capture(open[op.pick % open.length]!, at());
              break;
            case "release":
              if (open.length > 0) book.release(open[op.pick % open.length]!, at());
              break;
            case "reverse": {
              const lotId = op.pick === null || lotIds.length === 0 ? undefined : lotIds[op.pick % lotIds.length];
              const { writtenOff } = book.reverse({ ...at(), points: op.points, lotId });
              if (policy === "allow_negative") expect(writtenOff).toBe(0);
              else expect(book.balance.debt).toBe(0);
              break;
            }
            case "wait":
              now = new Date(now.getTime() + op.hours * HOUR);
              book.settleDue(now);
              break;
          }
          checkInvariants(book, lotIds, holdIds, now);
        }
      }),
      { numRuns: 300 },
    );
  });
});
