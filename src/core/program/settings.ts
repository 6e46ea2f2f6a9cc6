import { z } from "zod";
import { validitySchema } from "../expiry/validity.ts";

const localized = z.record(z.string().min(2).max(20), z.string().max(5_000));

export const programSettingsSchema = z
  .object({
    enabled: z.boolean(),
    pointsName: localized,
    rulesText: localized,
    validity: validitySchema,
    expiryReminderDays: z.number().int().min(0).max(365).nullable(),
    notifications: z
      .object({
        pointsEarned: z.boolean(),
        pointsAdjusted: z.boolean(),
        expiryReminder: z.boolean(),
        redemption: z.boolean(),
      })
      .strict(),
    clawback: z.enum(["allow_negative", "floor_zero"]),
    holdTtlMinutes: z.number().int().min(1).max(7 * 24 * 60),
  })
  .strict();

export type ProgramSettings = z.infer<typeof programSettingsSchema>;

/** PATCH accepts any subset; nested objects are merged one level deep (notifications). */
export const programPatchSchema = programSettingsSchema
  .extend({ notifications: programSettingsSchema.shape.notifications.partial() })
  .partial()
  .strict();

export type ProgramPatch = z.infer<typeof programPatchSchema>;

export const DEFAULT_PROGRAM: ProgramSettings = {
  enabled: true,
  pointsName: { en: "Points" },
  rulesText: {},
  validity: { type: "never" },
  expiryReminderDays: null,
  notifications: { pointsEarned: true, pointsAdjusted: true, expiryReminder: true, redemption: true },
  clawback: "allow_negative",
  holdTtlMinutes: 30,
};

export function applyProgramPatch(current: ProgramSettings, patch: ProgramPatch): ProgramSettings {
  return programSettingsSchema.parse({
    ...current,
    ...patch,
    notifications: { ...current.notifications, ...(patch.notifications ?? {}) },
  });
}
