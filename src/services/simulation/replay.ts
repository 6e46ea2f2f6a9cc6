import { DateTime } from "luxon";
import { DomainError } from "../../core/errors.ts";
import type { Repositories, Transactor } from "../../core/ports/repositories.ts";
import type { StoreRecord } from "../../core/ports/records.ts";
import type { HistoryOrder, StoreHistory } from "../../core/simulation/history.ts";
import { inputMoments, inputSteps, programAmongInputs, sortSteps, type Step } from "../../core/simulation/timeline.ts";
import { addLocalDays, localDateKey, localParts } from "../../core/time/zone.ts";
import { runDueWork } from "../due-work.ts";
import { revenueByMonth } from "../../core/simulation/figures.ts";
import type { Services } from "../context.ts";
import { importProgram } from "../program-document.ts";
import { finishRedemption } from "../redemptions.ts";
import { batchedTransactor } from "./batched.ts";
import { HoldTimeOuts } from "./hold-time-outs.ts";
import { quietRepositories } from "./quiet.ts";
import type { ReplayOptions, ReplayPart, ReplayResult } from "./replay-options.ts";
import { addRuleVersion, replayCredit, replayEvent, replayOrder, replayRedemption, SYSTEM } from "./replay-inputs.ts";

export type { ReplayFlows, ReplayOptions, ReplayPart, ReplayProgram, ReplayResult } from "./replay-options.ts";

/** The whole of a store's history as one part: every member, every input. */
export function wholeHistory(history: StoreHistory): ReplayPart {
  const { program, first } = programAmongInputs(history, inputMoments(history));
  let start = first;
  for (const step of program) start = Math.min(start, step.at.getTime());
  return { program, start: Number.isFinite(start) ? new Date(start) : null, firstInputAt: first };
}

/** The start of the store-local day after the one `at` falls in. */
function nextDayStart(at: Date, zone: string): number {
  return DateTime.fromJSDate(at, { zone }).startOf("day").plus({ days: 1 }).toMillis();
}

/** A clock the replay moves: every service reads the store's time from it. */
class ReplayClock {
  current: Date;
  constructor(at: Date) {
    this.current = at;
  }
  now(): Date {
    return this.current;
  }
}

/**
 * Replays a store's history on a scratch database, through the same services the store's inputs
 * went through (events, order updates, redemptions, adjustments), with the clock moved to each
 * input's instant and due work (maturing, hold time-outs, expiry, the daily tier check) run at
 * the store-local day boundaries on the way where anything reads it (dueWorkEveryDay), and at the
 * end. The scratch store is an ordinary (not sandbox) store whose time is the replay clock.
 */
export async function replayHistory(
  history: StoreHistory, options: ReplayOptions, part: ReplayPart = wholeHistory(history), replayed: InputsReplayed = () => undefined,
): Promise<ReplayResult> {
  const tx = batchedTransactor(options.tx, BATCH, quietRepositories);
  try {
    const result = await replayOn(tx, history, options, part, replayed);
    await tx.flush();
    return result;
  } catch (error) {
    await tx.abandon();
    throw error;
  }
}

/**
 * Told how many more of the history's inputs are replayed, every `PROGRESS_EVERY` inputs and once
 * at the end: the counts add up to the number of its input steps (those after the period's end
 * included, counted at the end as passed over), so a caller can say how far a replay has got.
 */
export type InputsReplayed = (inputs: number) => void;

const PROGRESS_EVERY = 2_000;

/**
 * Inputs per transaction of the scratch database, each in a savepoint of its own (batched.ts):
 * enough to make the transaction's own cost small, few enough that its undo log dies young.
 */
const BATCH = 50;

async function replayOn(tx: Transactor, history: StoreHistory, options: ReplayOptions, part: ReplayPart, replayed: InputsReplayed): Promise<ReplayResult> {
  // The part's own inputs and the program's changes, in the order the store processed them.
  const inputs = inputSteps(history);
  const steps = sortSteps([...inputs, ...part.program]).filter((s) => s.at.getTime() <= options.to.getTime());
  let done = 0;
  let reported = 0;
  // The whole timeline's first step starts the clock, in every part: each walks the same days.
  const first = part.start !== null && part.start.getTime() <= options.to.getTime() ? part.start : null;
  const start = first ?? options.from;
  // The candidate takes over at `from`, which may come before the first input.
  const clock = new ReplayClock(new Date(Math.min(start.getTime(), options.from.getTime())));
  // Before the first input nothing is due: the clock jumps instead of walking through empty days.
  let begun = false;
  const services: Services = { tx, clock };
  const zone = history.store.timezone;
  const storeId = history.store.id;
  await services.tx.run((repos) => seed(repos, history, part.firstInputAt, clock.now()));

  const result: ReplayResult = { flows: [], tiers: new Map(), skipped: { redemptions: 0, deductions: 0, events: 0, orders: 0 }, revenue: new Map() };
  const redemptionIds = new Map<string, string>();
  const orders = new Map(history.orders.map((o) => [o.id, o]));
  let candidatePending = options.candidate !== null;
  // The next day boundary as a number: most inputs fall before it, and compare without a calendar.
  let nextMs = nextDayStart(clock.now(), zone);

  // Due work at every day boundary, or only where something reads what it does (dueWorkEveryDay).
  const everyDay = dueWorkEveryDay(history, options);
  const holds = new HoldTimeOuts();
  // The last boundary passed without running due work, which a change of settings catches up to first.
  let owed: Date | null = null;
  const dueWork = async (repos: Repositories, at: Date) => {
    const store = (await repos.stores.get(storeId))!;
    await runDueWork(repos, withoutReminders(store), at);
    holds.settledBy(at.getTime());
    owed = null;
  };
  /** Due work up to the last boundary passed, as running it at every boundary would have done by now. */
  const catchUp = async (repos: Repositories) => {
    if (owed) await dueWork(repos, owed);
  };

  /** Moves the clock to `to`, running due work at the day boundaries passed (and taking tier counts at month ends). */
  const advance = async (to: Date) => {
    if (!begun && nextMs <= to.getTime()) nextMs = nextDayStart(to, zone);
    while (nextMs <= to.getTime()) {
      const boundary = new Date(nextMs);
      clock.current = boundary;
      const due = everyDay || holds.dueBy(nextMs);
      const monthEnd = localParts(boundary, zone).day === 1;
      if (due || monthEnd) {
        await services.tx.run(async (repos) => {
          if (due) await dueWork(repos, boundary);
          if (monthEnd) result.tiers.set(localDateKey(addLocalDays(boundary, -1, zone), zone, "month"), await tierCounts(repos, storeId));
        });
      }
      if (!due) owed = boundary;
      // The zone's cached offsets (core/time/zone.ts), as luxon's plus would: a year of days for every part.
      nextMs = addLocalDays(boundary, 1, zone).getTime();
    }
    if (to.getTime() > clock.current.getTime()) clock.current = to;
  };

  // The first moment is the whole timeline's first step, which a part may not hold: it only moves the clock.
  const moments: Array<Step | { kind: "clock"; at: Date }> = first ? [{ kind: "clock", at: first }, ...steps] : steps;
  for (const step of moments) {
    if (candidatePending && step.at.getTime() >= options.from.getTime()) {
      await advance(options.from);
      await services.tx.run(async (repos) => {
        await catchUp(repos);
        await importProgram(repos, services, storeId, options.candidate, { dryRun: false }, SYSTEM);
      });
      candidatePending = false;
    }
    await advance(step.at);
    begun = true;
    // Settling reads the program's settings (the clawback policy): what was due before they change settles under the old ones.
    if (step.kind === "settings" && owed) await services.tx.run(catchUp);
    if (step.kind !== "clock") await apply(services, storeId, step, options, redemptionIds, result, orders, holds);
    if (step.kind !== "clock" && step.kind !== "settings" && step.kind !== "rule" && ++done - reported === PROGRESS_EVERY) {
      replayed(PROGRESS_EVERY);
      reported = done;
    }
  }
  if (candidatePending) {
    await advance(options.from);
    await services.tx.run(async (repos) => {
      await catchUp(repos);
      await importProgram(repos, services, storeId, options.candidate, { dryRun: false }, SYSTEM);
    });
  }
  await advance(options.to);
  await services.tx.run(async (repos) => {
    await dueWork(repos, options.to);
    result.flows = await repos.reports.monthlyFlows(storeId, zone);
    result.tiers.set(DateTime.fromJSDate(options.to, { zone }).toFormat("yyyy-MM"), await tierCounts(repos, storeId));
  });
  // Read from the documents the replay made of each order's last update (LoggedOrder.adopt), where it got that far.
  result.revenue = revenueByMonth(history.orders, zone);
  // The rest: the inputs since the last report, and those after the period, passed over.
  replayed(inputs.length - reported);
  return result;
}

/**
 * Whether a replay runs due work at every store-local day boundary, as the store's scheduler ran it.
 * Settling a member's ledger writes its entries at the instants things fell due (a lot's maturing
 * or expiry, a hold's time-out), whenever it runs, and every service settles a ledger before it
 * reads or changes it (member-book.ts): so when due work runs changes no figure, and where nothing
 * else reads it, a replay lets due lots settle in passing, when their member is next seen, and the
 * rest at its end (a tenth of a replay's time was settling ledgers at every boundary). The daily
 * tier check does read it, so a program with tiers (the store's or the candidate's) still runs due
 * work every day, and so does a day after a hold's time-out (HoldTimeOuts).
 */
function dueWorkEveryDay(history: StoreHistory, options: ReplayOptions): boolean {
  return options.dueWorkEveryDay === true || history.tiers.length > 0 || (options.candidate?.tiers?.length ?? 0) > 0;
}

/**
 * The store as due work sees it in a replay: expiry reminders move no points and their messages
 * are dropped (quiet.ts), so finding the lots to remind (a walk of a month of lots every day) is
 * skipped.
 */
function withoutReminders(store: StoreRecord): StoreRecord {
  return { ...store, program: { ...store.program, expiryReminderDays: null } };
}

/** The scratch store: the store's settings, redeem methods, tiers, the versions of its rules before its first input, and its members. */
async function seed(repos: Repositories, history: StoreHistory, first: number, at: Date): Promise<void> {
  const s = history.store;
  const store: StoreRecord = { id: s.id, name: s.name, currency: s.currency, timezone: s.timezone, sandbox: false, clockNow: null, program: s.program, createdAt: s.createdAt };
  await repos.stores.insert(store);
  for (const m of history.redeemMethods) await repos.redemptions.insertMethod(s.id, { id: m.id, type: m.type, config: m.config, createdAt: m.createdAt, updatedAt: m.createdAt });
  for (const t of history.tiers) await repos.tiers.upsert(s.id, t, at);
  for (const v of history.ruleVersions) if (v.effectiveFrom.getTime() < first) await addRuleVersion(repos, s.id, v);
  for (const m of history.members) {
    await repos.members.upsert(s.id, m.memberId, {
      email: m.email, phone: m.phone, birthday: m.birthday, tags: m.tags, isMember: m.isMember, language: m.language,
    }, m.createdAt);
    if (m.manualTier) await repos.tiers.setTier(s.id, m.memberId, m.manualTier, m.manualTier, m.createdAt);
  }
}

async function tierCounts(repos: Repositories, storeId: string): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  let cursor: string | null = null;
  do {
    const page = await repos.reports.searchMembers(storeId, "", 1_000, cursor);
    for (const m of page.data) if (m.tier) counts[m.tier] = (counts[m.tier] ?? 0) + 1;
    cursor = page.nextCursor;
  } while (cursor);
  return counts;
}

/** One input, in its own transaction as it was in the store; a refusal skips it and is counted. */
async function apply(
  services: Services, storeId: string, step: Step, options: ReplayOptions, redemptionIds: Map<string, string>, result: ReplayResult, orders: ReadonlyMap<string, HistoryOrder>, holds: HoldTimeOuts,
): Promise<void> {
  try {
    await services.tx.run(async (repos) => {
      switch (step.kind) {
        case "event":
          await replayEvent(repos, services, storeId, step.event, result);
          return;
        case "order":
          await replayOrder(repos, services, storeId, step, options);
          return;
        case "redeem":
          await replayRedemption(repos, services, storeId, step.redemption, options, redemptionIds, result, orders);
          await holds.placed(repos, storeId, redemptionIds.get(step.redemption.id));
          return;
        case "finish": {
          const id = redemptionIds.get(step.redemption.id);
          if (!id || !step.redemption.finish) return;
          await finishRedemption(repos, services, storeId, id, step.redemption.finish.action, SYSTEM);
          holds.finished(id);
          return;
        }
        case "credit":
          await replayCredit(repos, services, storeId, step.credit, result);
          return;
        case "settings":
          if (!options.candidate || step.at.getTime() < options.from.getTime()) {
            const store = (await repos.stores.get(storeId))!;
            await repos.stores.update({ ...store, program: step.settings });
          }
          return;
        case "rule":
          // For a candidate, the store's own later edits give way to the candidate once it is in force.
          if (!options.candidate || step.at.getTime() < options.from.getTime()) await addRuleVersion(repos, storeId, step.version);
          return;
      }
    });
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    if (process.env.POINTBOOK_REPLAY_DEBUG) console.error(`replay: ${step.kind} at ${step.at.toISOString()} refused: ${error.code} ${error.message}`);
    if (step.kind === "order") result.skipped.orders++;
    else if (step.kind === "event") result.skipped.events++;
    else if (step.kind === "credit") result.skipped.deductions++;
    // A capture or release of a hold that timed out in the replay is not a redemption skipped.
    else if (step.kind === "redeem") result.skipped.redemptions++;
  }
}

