import { z } from "zod";
import { programDiffView } from "./program.ts";
import { instantOut, named, page } from "./common.ts";

const money = z.number().int().nullable();

const month = z.object({
  month: z.string().describe("YYYY-MM in the store's time zone"),
  issued: z.number().int(),
  redeemed: z.number().int(),
  expired: z.number().int(),
  reversed: z.number().int().describe("Taken back by refunds and cancellations, and deducted by hand"),
  outstanding: z.number().int().describe("Held by members at the month's end (spendable, pending and held)"),
  liability: money.describe("Outstanding × cash value × redemption rate, minor units (null without a cash value)"),
  revenue: z.number().int().describe("Orders placed in the month less refunds made in it, minor units"),
  cost: money.describe("Points issued × cash value × redemption rate, minor units"),
  costShare: z.number().nullable().describe("cost ÷ revenue (0.03 = 3 %)"),
  tiers: z.record(z.string(), z.number().int()).describe("Members holding each tier at the month's end"),
});

export const programFiguresView = named("SimulationFigures", z.object({
  months: z.array(month),
  totals: z.object({
    issued: z.number().int(), redeemed: z.number().int(), expired: z.number().int(), reversed: z.number().int(),
    outstanding: z.number().int(), liability: money, revenue: z.number().int(), cost: money, costShare: z.number().nullable(),
  }),
  cashValue: z.object({ points: z.number().int(), amount: z.number().int() }).nullable().describe("The first enabled cashback method: `points` take `amount` off"),
  skipped: z.object({ redemptions: z.number().int(), deductions: z.number().int(), events: z.number().int(), orders: z.number().int() })
    .describe("Recorded inputs this program could not repeat (a reward no longer affordable, a deduction larger than the balance)"),
}));

const report = {
  redemptionRate: z.number().describe("The expected redemption rate used"),
  observedRedemptionRate: z.number().describe("Redeemed ÷ issued in the store's history up to `to`"),
  currentFrom: z.enum(["replay", "ledger"]).describe("Where the current program's figures come from: its replay, or the ledger's own figures when a replay could only repeat them (spending as recorded, no tiers, `to` today or a month's end)"),
  reproduced: z.boolean().nullable().describe("Whether replaying the current program reproduced the ledger's own monthly figures (null when spending was scaled, or when the current figures are the ledger's own)"),
  current: programFiguresView,
  candidate: programFiguresView,
};

export const simulationStartedView = named("SimulationStarted", z.object({ id: z.string(), status: z.literal("running") }));

const summary = {
  id: z.string(),
  status: z.enum(["running", "done", "failed"]),
  from: z.string(),
  to: z.string(),
  createdAt: instantOut,
  finishedAt: instantOut.nullable(),
  error: z.string().optional().describe("Why it failed"),
  progress: z.number().min(0).max(1).describe("The share of its replays' inputs replayed so far, 0 to 1 (1 once done), updated about once a second while it runs"),
};

/** A simulation's status, and once done its report's fields beside it. */
const outcome = {
  ...summary,
  ...Object.fromEntries(Object.entries(report).map(([k, v]) => [k, v.optional()])) as { [K in keyof typeof report]: z.ZodOptional<(typeof report)[K]> },
};

export const simulationView = named("Simulation", z.object({
  ...outcome,
  input: z.object({
    candidate: z.record(z.string(), z.unknown()).describe("The candidate program document as sent"),
    from: z.string(), to: z.string(),
    redemptionRate: z.number().nullable().describe("As sent; null: the observed rate"),
  }).describe("What was asked"),
}));

export const simulationPage = page(named("SimulationSummary", z.object(summary)));

export const proposalsView = named("AssistantProposals", z.object({
  proposals: z.array(z.object({
    id: z.string(),
    summary: z.string(),
    explanation: z.string().describe("In plain words: what changes, why, and what members will notice"),
    document: z.record(z.string(), z.unknown()).describe("The whole program proposed (a program document)"),
    simulation: named("ProposalSimulation", z.object(outcome)).describe(
      "The simulation that backs it, as GET /v1/simulations/{id} shows it (its input is the document above): done with its figures, or still running (follow it there) when it took longer than the assistant waits",
    ),
  })),
}));

export const proposalAppliedView = named("AssistantApplied", z.object({
  proposalId: z.string(),
  appliedAt: instantOut,
  diff: programDiffView,
}));
