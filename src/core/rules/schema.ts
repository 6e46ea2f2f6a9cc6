import { z } from "zod";
import { isoInstant, MAX_VALUE, money, positivePoints } from "../limits.ts";
import { validitySchema } from "../expiry/validity.ts";
import { iconSchema } from "../icon.ts";

/** A dotted path into the event (`properties.count`) or the order (`order.tags`). */
const fieldPath = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z0-9_]+)*$/, "a dotted path such as properties.count");
const positiveInt = positivePoints;

export const conditionSchema = z.discriminatedUnion("op", [
  z.object({ field: fieldPath, op: z.enum(["eq", "ne"]), value: z.union([z.string(), z.number(), z.boolean(), z.null()]) }).strict(),
  z.object({ field: fieldPath, op: z.enum(["in", "nin"]), value: z.array(z.union([z.string(), z.number(), z.boolean()])).min(1) }).strict(),
  z.object({ field: fieldPath, op: z.enum(["gt", "gte", "lt", "lte"]), value: z.union([z.number(), isoInstant]) }).strict(),
  z.object({ field: fieldPath, op: z.literal("exists"), value: z.boolean().default(true) }).strict(),
]);

export const audienceSchema = z
  .object({
    tiers: z.array(z.string().min(1)).min(1).optional(),
    members: z.boolean().default(true),
    nonMembers: z.boolean().default(false),
    memberIds: z.array(z.string().min(1)).min(1).optional(),
  })
  .strict();

export const awardSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("fixed"), points: positiveInt }).strict(),
  z.object({ type: z.literal("per_unit"), points: positiveInt, per: z.number().positive().max(MAX_VALUE), field: fieldPath }).strict(),
  z
    .object({
      type: z.literal("per_amount"),
      points: positiveInt,
      per: positiveInt,
      rounding: z.enum(["floor", "proportional"]).default("floor"),
    })
    .strict(),
  z.object({ type: z.literal("every_nth"), points: positiveInt, every: positiveInt }).strict(),
]);

export const multiplierSchema = z
  .object({ name: z.string().max(200).optional(), from: isoInstant, to: isoInstant, factor: z.number().positive().max(100) })
  .strict()
  .refine((m) => Date.parse(m.from) < Date.parse(m.to), { message: "from must be before to", path: ["to"] });

export const limitsSchema = z
  .object({
    once: z
      .union([
        z.literal(true),
        z.object({ scope: z.enum(["member", "store"]), key: fieldPath }).strict(),
      ])
      .optional(),
    maxTimesPerDay: positiveInt.optional(),
    maxPoints: z
      .object({ event: positiveInt.optional(), day: positiveInt.optional(), month: positiveInt.optional(), lifetime: positiveInt.optional() })
      .strict()
      .optional(),
  })
  .strict();

export const ORDER_EVENT = "order";

const ruleObject = z
  .object({
    name: z.string().min(1).max(200),
    description: z.string().max(2_000).optional(),
    /** Shown to members beside the rule in the member centre. */
    icon: iconSchema.optional(),
    event: z.string().min(1).max(100),
    channels: z.array(z.string().min(1).max(50)).min(1).optional(),
    conditions: z.array(conditionSchema).max(50).default([]),
    audience: audienceSchema.default({ members: true, nonMembers: false }),
    award: awardSchema,
    limits: limitsSchema.default({}),
    timing: z
      .object({ awardOn: z.enum(["placed", "paid", "fulfilled", "delivered"]).default("paid"), delayDays: z.number().int().min(0).max(3650).default(0) })
      .strict()
      .optional(),
    base: z.enum(["subtotal", "net"]).optional(),
    excludeGiftCards: z.boolean().optional(),
    excludeProducts: z.array(z.string()).optional(),
    eligibleProducts: z.array(z.string()).optional(),
    minAmount: money.optional(),
    validity: validitySchema.optional(),
    multipliers: z.array(multiplierSchema).max(50).default([]),
    activeFrom: isoInstant.nullable().default(null),
    activeTo: isoInstant.nullable().default(null),
    enabled: z.boolean().default(true),
  })
  .strict();

const ORDER_ONLY = ["base", "excludeGiftCards", "excludeProducts", "eligibleProducts", "minAmount"] as const;

/** An earn rule as stored and exchanged; cross-field rules are checked here so errors name the path. */
export const earnRuleSchema = ruleObject.superRefine((rule, ctx) => {
  const isOrder = rule.event === ORDER_EVENT;
  if (rule.award.type === "per_amount" && !isOrder) {
    ctx.addIssue({ code: "custom", path: ["award", "type"], message: "per_amount needs an order rule (event \"order\")" });
  }
  if (!isOrder) {
    for (const key of ORDER_ONLY) {
      if (rule[key] !== undefined) ctx.addIssue({ code: "custom", path: [key], message: "only order rules (event \"order\") take this field" });
    }
    if (rule.timing?.awardOn !== undefined && rule.timing.awardOn !== "paid") {
      ctx.addIssue({ code: "custom", path: ["timing", "awardOn"], message: "only order rules have an order status to wait for" });
    }
  }
  if (rule.activeFrom && rule.activeTo && Date.parse(rule.activeFrom) >= Date.parse(rule.activeTo)) {
    ctx.addIssue({ code: "custom", path: ["activeTo"], message: "must be after activeFrom" });
  }
  if (rule.eligibleProducts && rule.excludeProducts) {
    const overlap = rule.eligibleProducts.filter((p) => rule.excludeProducts!.includes(p));
    if (overlap.length > 0) ctx.addIssue({ code: "custom", path: ["excludeProducts"], message: `also listed as eligible: ${overlap.join(", ")}` });
  }
});

export type EarnRule = z.infer<typeof earnRuleSchema>;
export type EarnRuleInput = z.input<typeof earnRuleSchema>;
export type Condition = z.infer<typeof conditionSchema>;
export type Award = z.infer<typeof awardSchema>;
export type Multiplier = z.infer<typeof multiplierSchema>;

/** A rule as the engine sees it: the definition in force, with its id and version. */
export interface RuleVersion {
  id: string;
  version: number;
  rule: EarnRule;
}
