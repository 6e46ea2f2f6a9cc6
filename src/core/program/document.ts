import { z } from "zod";
import { redeemMethodSchema } from "../redemption/methods.ts";
import { earnRuleSchema } from "../rules/schema.ts";
import { tierSchema } from "../tiers/schema.ts";
import { programSettingsSchema, withProgramDefaults, type ProgramSettings } from "./settings.ts";

const withId = z.object({ id: z.string().min(1).max(100).optional() });

/**
 * The whole program as one document: settings, tiers, earn rules and redeem methods. Items are
 * matched to what the store has by `id`, else by name (tiers by code), so applying the same
 * document twice changes nothing.
 */
export const programDocumentSchema = z
  .object({
    $schema: z.string().optional(),
    name: z.string().max(200).optional(),
    description: z.string().max(5_000).optional(),
    // Documents written before a setting existed take its default (nested switches included).
    settings: z.preprocess((v) => (typeof v === "object" && v !== null && !Array.isArray(v) ? withProgramDefaults(v as Partial<ProgramSettings>) : v), programSettingsSchema),
    tiers: z.array(tierSchema).max(100).default([]),
    earnRules: z.array(z.intersection(withId, earnRuleSchema)).max(1_000).default([]),
    redeemMethods: z.array(z.intersection(withId, redeemMethodSchema)).max(1_000).default([]),
  })
  .strict()
  .superRefine((doc, ctx) => {
    const unique = (items: Array<{ key: string }>, path: string, what: string) => {
      const seen = new Set<string>();
      items.forEach(({ key }, i) => {
        if (seen.has(key)) ctx.addIssue({ code: "custom", path: [path, i], message: `${what} ${key} appears twice` });
        seen.add(key);
      });
    };
    unique(doc.tiers.map((t) => ({ key: t.code })), "tiers", "tier code");
    unique(doc.earnRules.map((r) => ({ key: r.id ?? `name:${r.name}` })), "earnRules", "earn rule");
    unique(doc.redeemMethods.map((m) => ({ key: m.id ?? `name:${m.name}` })), "redeemMethods", "redeem method");
  });

export type ProgramDocument = z.infer<typeof programDocumentSchema>;

export interface ItemDiff {
  added: string[];
  changed: string[];
  removed: string[];
  unchanged: number;
}

export interface ProgramDiff {
  settings: string[];
  tiers: ItemDiff;
  earnRules: ItemDiff;
  redeemMethods: ItemDiff;
}

/** Stable JSON (sorted keys) so two equal definitions compare equal whatever their key order. */
export function sameJson(a: unknown, b: unknown): boolean {
  const canonical = (v: unknown): unknown =>
    Array.isArray(v) ? v.map(canonical)
      : v !== null && typeof v === "object" ? Object.fromEntries(Object.keys(v).sort().filter((k) => (v as Record<string, unknown>)[k] !== undefined).map((k) => [k, canonical((v as Record<string, unknown>)[k])]))
      : v;
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}
