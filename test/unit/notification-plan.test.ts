import { describe, expect, it } from "vitest";
import { plannedMessages, scenarioOf } from "../../src/core/notifications/decide.ts";
import { outgoing, type OutgoingMessage } from "../../src/core/outgoing/events.ts";
import { DEFAULT_PROGRAM, applyProgramPatch } from "../../src/core/program/settings.ts";

const both = { email: true, sms: true };
const member: { email: string | null; phone: string | null } = { email: "m@example.com", phone: "+886900000000" };
const changed = (entryType: string, points: number, sourceType = "event", notify?: { email?: boolean; sms?: boolean }): OutgoingMessage =>
  outgoing("member.points_changed", "m1", {
    entryId: "ent_1", entryType, points, balance: 100, pending: 0, held: 0, source: { type: sourceType, ref: "x" }, ...(notify ? { notify } : {}),
  });
const plan = (m: OutgoingMessage, program = DEFAULT_PROGRAM, who: typeof member | null = member, transports = both) =>
  plannedMessages(m as Parameters<typeof plannedMessages>[0], program, who, transports).map((p) => `${p.scenario}/${p.channel}/${p.status}${p.reason ? `/${p.reason}` : ""}`);

describe("which outgoing events notify a member", () => {
  it("points earned from events and orders once available, manual increases, reminders, redemptions and tier changes", () => {
    const cases: Array<[OutgoingMessage, string | null]> = [
      [changed("earn", 10), "pointsEarned"],
      [changed("earn", 10, "order"), "pointsEarned"],
      [changed("pending", 10, "order"), null],
      [changed("mature", 10, "order"), "pointsEarned"],
      [changed("earn", 10, "import"), null],
      [changed("adjust", 10, "adjustment"), "pointsAdjusted"],
      [changed("adjust", -10, "adjustment"), null],
      [changed("redeem", -10, "redemption"), null],
      [changed("expire", -10, "event"), null],
      [outgoing("member.points_expiring", "m1", { lotId: "lot_1", points: 5, expiresAt: "2027-01-01T00:00:00.000Z", balance: 5 }), "expiryReminder"],
      [outgoing("redemption.completed", "m1", { redemptionId: "red_1", methodId: "rm_1", type: "coupon", points: 100 }), "redemption"],
      [outgoing("redemption.held", "m1", { redemptionId: "red_1", methodId: "rm_1", type: "cashback", points: 100 }), null],
      [outgoing("member.tier_changed", "m1", { from: null, to: "gold", by: "qualification" }), "tierChanged"],
      [outgoing("order.points_updated", "m1", { orderId: "o1", earned: 1, pending: 0, reversed: 0, redeemed: 0 }), null],
    ];
    expect(cases.map(([message]) => scenarioOf(message as Parameters<typeof scenarioOf>[0]))).toEqual(cases.map(([, scenario]) => scenario));
  });
});

describe("the messages an event makes", () => {
  it("email by the program's switches, SMS only when the merchant turns it on", () => {
    expect(plan(changed("earn", 10))).toEqual(["pointsEarned/email/pending"]);
    const sms = applyProgramPatch(DEFAULT_PROGRAM, { smsNotifications: { pointsEarned: true } });
    expect(plan(changed("earn", 10), sms)).toEqual(["pointsEarned/email/pending", "pointsEarned/sms/pending"]);
    const quiet = applyProgramPatch(DEFAULT_PROGRAM, { notifications: { pointsEarned: false } });
    expect(plan(changed("earn", 10), quiet)).toEqual([]);
  });

  it("an adjustment's notify overrides the pointsAdjusted switches, both ways; a decrease never notifies", () => {
    expect(plan(changed("adjust", 10, "adjustment"))).toEqual(["pointsAdjusted/email/pending"]);
    expect(plan(changed("adjust", 20, "adjustment", { email: false, sms: true }))).toEqual(["pointsAdjusted/sms/pending"]);
    expect(plan(changed("adjust", 30, "adjustment", { email: false }))).toEqual([]);
    const off = applyProgramPatch(DEFAULT_PROGRAM, { notifications: { pointsAdjusted: false } });
    expect(plan(changed("adjust", 40, "adjustment", { email: true }), off)).toEqual(["pointsAdjusted/email/pending"]);
    expect(plan(changed("adjust", -5, "adjustment", { email: true, sms: true }))).toEqual([]);
  });

  it("skipped where the member has no address or number, or the operator set no transport", () => {
    const sms = applyProgramPatch(DEFAULT_PROGRAM, { smsNotifications: { redemption: true } });
    const redeemed = outgoing("redemption.completed", "m1", { redemptionId: "red_1", methodId: "rm_1", type: "coupon", points: 100 });
    expect(plan(redeemed, sms, { email: null, phone: "+886900000000" })).toEqual(["redemption/email/skipped/no_address", "redemption/sms/pending"]);
    expect(plan(redeemed, sms, member, { email: true, sms: false })).toEqual(["redemption/email/pending", "redemption/sms/skipped/no_transport"]);
  });

  it("nothing while the program is disabled, and nothing for an unknown member", () => {
    const disabled = applyProgramPatch(DEFAULT_PROGRAM, { enabled: false });
    expect(plan(changed("earn", 10), disabled)).toEqual([]);
    expect(plan(changed("earn", 10), DEFAULT_PROGRAM, null)).toEqual([]);
  });
});
