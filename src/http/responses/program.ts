import { z } from "zod";
import { programDocumentSchema } from "../../core/program/document.ts";
import { programSettingsSchema } from "../../core/program/settings.ts";
import { named } from "./common.ts";

export const programSettingsView = named("ProgramSettings", programSettingsSchema);

export const programDocumentView = named("ProgramDocument", programDocumentSchema);

const itemDiff = z.object({
  added: z.array(z.string()),
  changed: z.array(z.string()),
  removed: z.array(z.string()),
  unchanged: z.number().int(),
});

export const programDiffView = z.object({ settings: z.array(z.string()), tiers: itemDiff, earnRules: itemDiff, redeemMethods: itemDiff });

export const programImportView = named("ProgramImport", z.object({
  dryRun: z.boolean().describe("True when nothing was changed: the diff says what would change"),
  diff: programDiffView,
}));
