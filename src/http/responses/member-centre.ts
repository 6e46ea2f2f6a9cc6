import { z } from "zod";
import { instantOut, moneyView, named, page } from "./common.ts";
import { quoteView } from "./checkout.ts";
import { entryType, sourceType } from "./members.ts";

export const memberTokenView = named("MemberToken", z.object({
  token: z.string().describe("An HS256 JWT: iss = store id, sub = member id"),
  expiresAt: instantOut,
}));

export const memberTokenSecretView = named("MemberTokenSecret", z.object({
  secret: z.string().describe("Sign member tokens with its UTF-8 bytes (HS256); shown once"),
  previousValidUntil: instantOut.nullable().describe("Until when tokens signed with the previous secret still verify"),
}));

export const memberEntryView = named("MemberEntry", z.object({
  id: z.string(),
  type: entryType,
  points: z.number().int(),
  balanceAfter: z.number().int(),
  at: instantOut,
  reason: z.string().optional(),
  source: sourceType,
}), "A movement of the member's points, as the member sees it");

export const memberEntryPage = page(memberEntryView);

export const meView = named("MemberCentre", z.object({
  memberId: z.string(),
  storeName: z.string(),
  timezone: z.string().describe("The store's time zone: dates are shown in it"),
  language: z.string().describe("The language the texts are in"),
  enabled: z.boolean().describe("False while the program is disabled: then no points data"),
  pointsName: z.string(),
  rulesText: z.string().nullable(),
  balance: z.number().int().optional(),
  pending: z.number().int().optional(),
  held: z.number().int().optional(),
  cashValue: moneyView.nullable().optional().describe("The balance at the first enabled cashback method's rate; null without one"),
  tier: z.string().nullable().optional(),
  expiring: z.array(z.object({ expiresAt: instantOut, points: z.number().int() })).optional(),
  history: memberEntryPage.optional(),
  rewards: z.array(z.object({
    methodId: z.string(),
    type: z.enum(["catalog", "coupon", "product"]),
    name: z.string(),
    description: z.string().optional(),
    points: z.number().int(),
    affordable: z.boolean(),
  })).optional(),
}));

export const meQuoteView = named("MemberCheckoutQuote", quoteView.extend({
  currency: z.string(),
  pointsName: z.string(),
  rate: z.object({ points: z.number().int(), amount: z.number().int() }).nullable()
    .describe("The cashback method's rate: points are spent in steps of `points`, each worth `amount` minor units"),
}));
