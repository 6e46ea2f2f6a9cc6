import { z } from "zod";
import { isoInstant } from "../core/limits.ts";
import { isValidTimeZone } from "../core/time/zone.ts";

/** ISO 8601 with an offset or Z on the wire; a Date inside. */
export const instant = isoInstant.transform((s) => new Date(s));

export const timeZone = z.string().min(1).max(64).refine(isValidTimeZone, { message: "not an IANA time zone" });

export const memberIdParam = z.object({ memberId: z.string().min(1).max(200) });
export const idParam = z.object({ id: z.string().min(1).max(200) });
