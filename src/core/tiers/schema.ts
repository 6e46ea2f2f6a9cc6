import { z } from "zod";
import { positiveCount } from "../limits.ts";

export const qualificationSchema = z
  .object({
    /** Points credited by events and orders, or money spent on orders (minor units, after refunds). */
    metric: z.enum(["points_earned", "amount_spent"]),
    threshold: positiveCount,
    window: z.discriminatedUnion("type", [
      z
        .object({ type: z.literal("rolling"), days: z.number().int().positive().max(3650).optional(), months: z.number().int().positive().max(120).optional() })
        .strict()
        .refine((w) => (w.days === undefined) !== (w.months === undefined), { message: "give exactly one of days or months" }),
      z.object({ type: z.literal("calendar_year") }).strict(),
    ]),
  })
  .strict();

export const tierSchema = z
  .object({
    code: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,49}$/, "lowercase letters, digits, - and _ (at most 50)"),
    name: z.string().min(1).max(200),
    rank: z.number().int().min(0).max(1000),
    multiplier: z.number().positive().max(100).default(1),
    qualification: qualificationSchema.nullable().default(null),
  })
  .strict();

export type Tier = z.infer<typeof tierSchema>;
export type Qualification = z.infer<typeof qualificationSchema>;

/**
 * The member's tier: the highest-ranked tier whose qualification the member meets, but never
 * below the tier the merchant set by hand (a floor).
 */
export function effectiveTier(tiers: readonly Tier[], manualTier: string | null, qualifies: (tier: Tier) => boolean): string | null {
  const byRank = [...tiers].sort((a, b) => b.rank - a.rank);
  const earned = byRank.find((t) => t.qualification !== null && qualifies(t)) ?? null;
  const manual = manualTier === null ? null : (tiers.find((t) => t.code === manualTier) ?? null);
  if (manual && (!earned || manual.rank >= earned.rank)) return manual.code;
  return earned?.code ?? manualTier;
}
