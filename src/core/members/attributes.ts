import { z } from "zod";

export const emailSchema = z.email().max(320);
export const phoneSchema = z.string().regex(/^\+?[0-9 ()-]{4,32}$/, "a phone number such as +15551234567");
export const tagSchema = z.string().min(1).max(100);

/** A member's attributes as a client may set them (PUT /v1/members/{id}, imports, platform customers). */
export const memberAttributesSchema = z
  .object({
    email: emailSchema.nullable().optional(),
    phone: phoneSchema.nullable().optional(),
    birthday: z.iso.date().nullable().optional(),
    tier: z.string().min(1).max(100).nullable().optional(),
    tags: z.array(tagSchema).max(100).optional(),
    isMember: z.boolean().optional(),
    language: z.string().min(2).max(20).nullable().optional(),
  })
  .strict();
