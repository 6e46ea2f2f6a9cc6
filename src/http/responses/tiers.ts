import { tierSchema } from "../../core/tiers/schema.ts";
import { named, page } from "./common.ts";

export const tierView = named("Tier", tierSchema);

/** All tiers, lowest rank first, on one page (nextCursor is always null). */
export const tierPage = page(tierView);
