import { z } from "zod";
import type { Role } from "../../core/ports/records.ts";
import { enumOf, instantOut, moneyView, named, page } from "./common.ts";

export const sessionView = named("Session", z.object({
  key: z.object({ id: z.string(), role: enumOf<Role>({ viewer: true, points_manager: true, admin: true }) }),
  store: z.object({
    id: z.string(),
    name: z.string(),
    currency: z.string(),
    timezone: z.string(),
    sandbox: z.boolean(),
    clock: instantOut.nullable().optional().describe("A sandbox store's own now"),
  }),
}));

export const memberSummaryView = named("MemberSummary", z.object({
  memberId: z.string(),
  email: z.string().nullable(),
  phone: z.string().nullable(),
  tier: z.string().nullable(),
  isMember: z.boolean(),
  balance: z.number().int(),
  pending: z.number().int(),
  held: z.number().int(),
  createdAt: instantOut,
}));

export const memberSummaryPage = page(memberSummaryView);

const monthFlow = {
  month: z.string().describe("YYYY-MM in the store's time zone"),
  issued: z.number().int(),
  redeemed: z.number().int(),
  expired: z.number().int(),
  reversed: z.number().int().describe("Reversed by refunds and cancellations, and deducted by hand"),
  outstanding: z.number().int().describe("What members hold at the month's end"),
};

export const dashboardView = named("Dashboard", z.object({
  members: z.number().int(),
  outstanding: z.object({
    points: z.number().int(),
    value: moneyView.nullable().describe("At the first enabled cashback method's rate; null without one"),
  }),
  thisMonth: z.object(monthFlow),
  months: z.array(z.object({ ...monthFlow, liability: z.number().int().nullable().describe("Outstanding points in money (minor units)") }))
    .describe("Oldest first, months without movement included"),
}));
