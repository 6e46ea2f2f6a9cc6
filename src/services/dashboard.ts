import { DateTime } from "luxon";
import type { MonthFlow } from "../core/ports/reports.ts";
import type { Repositories } from "../core/ports/repositories.ts";
import { cashbackDiscount, type CashbackMethod } from "../core/redemption/methods.ts";
import { requireStore, storeNow, type Services } from "./context.ts";

export interface Dashboard {
  members: number;
  /** Points members hold (spendable, pending and held), and what they are worth at checkout. */
  outstanding: { points: number; value: { amount: number; currency: string } | null };
  /** The store's current month, in its time zone. */
  thisMonth: MonthFlow;
  /** The last `months` calendar months, oldest first, months without movement included. */
  months: Array<MonthFlow & { liability: number | null }>;
}

/** The first enabled cashback method's rate values points in money (as the member centre does). */
async function cashbackRate(repos: Repositories, storeId: string): Promise<Pick<CashbackMethod, "points" | "amount"> | null> {
  let cursor: string | null = null;
  do {
    const page = await repos.redemptions.listMethods(storeId, 500, cursor);
    const found = page.data.find((m) => m.type === "cashback" && m.config.enabled !== false);
    if (found) return { points: Number(found.config.points), amount: Number(found.config.amount) };
    cursor = page.nextCursor;
  } while (cursor);
  return null;
}

/** Aggregated in the database; the months are filled in here so a quiet month shows as zeros. */
export async function dashboard(services: Services, storeId: string, monthCount: number): Promise<Dashboard> {
  return services.tx.run(async (repos) => {
    const store = await requireStore(repos, storeId);
    const now = DateTime.fromJSDate(storeNow(store, services.clock), { zone: store.timezone });
    const [flows, members, rate] = [await repos.reports.monthlyFlows(storeId, store.timezone), await repos.reports.memberCount(storeId), await cashbackRate(repos, storeId)];
    const byMonth = new Map(flows.map((f) => [f.month, f]));
    const value = (points: number) => (rate && points > 0 ? cashbackDiscount(rate, points) : rate ? 0 : null);
    const months: Dashboard["months"] = [];
    // Outstanding carries over from the last month with movement before the window.
    let outstanding = flows.filter((f) => f.month < now.minus({ months: monthCount - 1 }).toFormat("yyyy-MM")).at(-1)?.outstanding ?? 0;
    for (let i = monthCount - 1; i >= 0; i--) {
      const month = now.minus({ months: i }).toFormat("yyyy-MM");
      const flow = byMonth.get(month) ?? { month, issued: 0, redeemed: 0, expired: 0, reversed: 0, outstanding };
      outstanding = flow.outstanding;
      months.push({ ...flow, liability: value(flow.outstanding) });
    }
    const current = months.at(-1)!;
    const total = flows.filter((f) => f.month <= current.month).at(-1)?.outstanding ?? 0;
    return {
      members,
      outstanding: { points: total, value: rate ? { amount: value(total) ?? 0, currency: store.currency } : null },
      thisMonth: { month: current.month, issued: current.issued, redeemed: current.redeemed, expired: current.expired, reversed: current.reversed, outstanding: current.outstanding },
      months,
    };
  });
}
