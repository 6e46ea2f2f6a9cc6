import { z } from "zod";
import { isoInstant } from "../limits.ts";
import { validitySchema } from "../expiry/validity.ts";
import { templatesSchema } from "../notifications/templates.ts";

/** A program-wide bonus window (e.g. double points on 11.11), optionally limited to events or rules. */
export const campaignSchema = z
  .object({
    name: z.string().min(1).max(200),
    from: isoInstant,
    to: isoInstant,
    factor: z.number().positive().max(100),
    events: z.array(z.string().min(1)).min(1).optional(),
    rules: z.array(z.string().min(1)).min(1).optional(),
  })
  .strict()
  .refine((c) => Date.parse(c.from) < Date.parse(c.to), { message: "from must be before to", path: ["to"] });

const localized = z.record(z.string().min(2).max(20), z.string().max(5_000));

const scenarioSwitches = z
  .object({
    pointsEarned: z.boolean(),
    pointsAdjusted: z.boolean(),
    expiryReminder: z.boolean(),
    redemption: z.boolean(),
    tierChanged: z.boolean(),
  })
  .strict();

export const programSettingsSchema = z
  .object({
    enabled: z.boolean(),
    pointsName: localized,
    rulesText: localized,
    validity: validitySchema,
    expiryReminderDays: z.number().int().min(0).max(365).nullable(),
    /** Email per scenario (SPEC §3 Member notifications). */
    notifications: scenarioSwitches,
    /** SMS per scenario; all off unless the merchant turns them on (SMS costs money). */
    smsNotifications: scenarioSwitches,
    /** The language of messages to members who have none of their own. */
    defaultLanguage: z.string().min(2).max(20),
    /** The store's own message texts per scenario and language; built-in texts fill the rest. */
    templates: templatesSchema,
    /**
     * Web origins whose pages may call `/v1/me…` with a member token (the embedded member centre),
     * or `["*"]` for any; none by default (the standalone page on this server needs none).
     */
    allowedOrigins: z.array(z.union([z.literal("*"), z.string().max(300).regex(/^https?:\/\/[^/\s?#]+$/, "an origin such as https://shop.example.com (scheme, host and port, no path)")])).max(50),
    clawback: z.enum(["allow_negative", "floor_zero"]),
    holdTtlMinutes: z.number().int().min(1).max(7 * 24 * 60),
    campaigns: z.array(campaignSchema).max(100),
  })
  .strict();

export type ProgramSettings = z.infer<typeof programSettingsSchema>;

/** PATCH accepts any subset; nested objects are merged one level deep (notifications). */
export const programPatchSchema = programSettingsSchema
  .extend({ notifications: scenarioSwitches.partial(), smsNotifications: scenarioSwitches.partial() })
  .partial()
  .strict();

export type ProgramPatch = z.infer<typeof programPatchSchema>;

export const DEFAULT_PROGRAM: ProgramSettings = {
  enabled: true,
  pointsName: { en: "Points" },
  rulesText: {},
  validity: { type: "never" },
  expiryReminderDays: null,
  notifications: { pointsEarned: true, pointsAdjusted: true, expiryReminder: true, redemption: true, tierChanged: true },
  smsNotifications: { pointsEarned: false, pointsAdjusted: false, expiryReminder: false, redemption: false, tierChanged: false },
  defaultLanguage: "en",
  templates: {},
  allowedOrigins: [],
  clawback: "allow_negative",
  holdTtlMinutes: 30,
  campaigns: [],
};

/** Settings stored by an older version lack newer fields; those take their defaults. */
export function withProgramDefaults(stored: Partial<ProgramSettings>): ProgramSettings {
  return {
    ...DEFAULT_PROGRAM, ...stored,
    notifications: { ...DEFAULT_PROGRAM.notifications, ...(stored.notifications ?? {}) },
    smsNotifications: { ...DEFAULT_PROGRAM.smsNotifications, ...(stored.smsNotifications ?? {}) },
    templates: stored.templates ?? {},
  };
}

export function applyProgramPatch(current: ProgramSettings, patch: ProgramPatch): ProgramSettings {
  return programSettingsSchema.parse({
    ...current,
    ...patch,
    notifications: { ...current.notifications, ...(patch.notifications ?? {}) },
    smsNotifications: { ...current.smsNotifications, ...(patch.smsNotifications ?? {}) },
    templates: { ...current.templates, ...(patch.templates ?? {}) },
  });
}
