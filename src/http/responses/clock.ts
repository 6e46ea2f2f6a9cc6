import { z } from "zod";
import { instantOut, named } from "./common.ts";

export const clockAdvanceView = named("ClockAdvance", z.object({
  now: instantOut,
  ran: z.object({
    matured: z.number().int().describe("Pending lots that became available"),
    released: z.number().int().describe("Holds that timed out"),
    expired: z.number().int().describe("Lots that expired"),
    reminded: z.number().int().describe("Expiry reminders made"),
  }),
}));
