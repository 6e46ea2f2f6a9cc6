import { z } from "zod";
import { earnRuleSchema } from "../../core/rules/schema.ts";
import { instantOut, named, page } from "./common.ts";

/** The rule as defined (SPEC §3 Earn rules), with its id and the version in force. */
export const earnRuleView = named("EarnRule", earnRuleSchema.safeExtend({
  id: z.string(),
  version: z.number().int().describe("Raised by every change; awards name the version that made them"),
  createdAt: instantOut,
  updatedAt: instantOut,
}));

export const earnRulePage = page(earnRuleView);
