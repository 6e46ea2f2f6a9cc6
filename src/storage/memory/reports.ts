import { DateTime } from "luxon";
import { cachedZone } from "../../core/time/offset-cache.ts";
import type { MemberSummary, MonthFlow, ReportRepository } from "../../core/ports/reports.ts";
import { peek, type MemberRow } from "./state.ts";
import type { MemoryTx } from "./transaction.ts";
import { compareText } from "./values.ts";
import { forEachTallied } from "./tally.ts";
import type { EntryType } from "../../core/ledger/types.ts";

const toSummary = (r: MemberRow): MemberSummary => ({
  memberId: r.memberId, email: r.email, phone: r.phone, tier: r.tier, isMember: r.isMember,
  balance: r.balance, pending: r.pending, held: r.held, createdAt: r.createdAt,
});

export function reportRepository(tx: MemoryTx): ReportRepository {
  return {
    async searchMembers(storeId, query, limit, cursor) {
      const q = query.toLowerCase();
      const rows = [...peek(tx.state, storeId).members.values()]
        .filter((m) => (cursor === null || compareText(m.memberId, cursor) > 0)
          && (q === "" || m.memberId.startsWith(query) || (m.email ?? "").toLowerCase().startsWith(q) || (m.phone ?? "").startsWith(query)))
        .sort((a, b) => compareText(a.memberId, b.memberId))
        .slice(0, limit + 1);
      const data = rows.slice(0, limit).map(toSummary);
      return { data, nextCursor: rows.length > limit ? data[data.length - 1]!.memberId : null };
    },
    async memberCount(storeId) {
      return peek(tx.state, storeId).members.size;
    },
    async monthlyFlows(storeId, timeZone) {
      const months = new Map<string, Omit<MonthFlow, "outstanding">>();
      // Every entry of the store: the zone's offsets are looked up once per 15 minutes, not per entry.
      const zone = cachedZone(timeZone);
      // Entries are kept in the order they were written, mostly the order of their times, so the
      // month of the last one is mostly the month of the next; when it is not (an expiry settled
      // when its member is next seen is dated when the lot expired), the month is one of those
      // already met: a calendar only for a month not met before (a calendar at every change of
      // month was 6 % of a replay's part).
      const met: Array<{ start: number; end: number; month: string }> = [];
      let start = Infinity, end = -Infinity, month = "";
      const add = (at: number, type: EntryType, points: number) => {
        if (at < start || at >= end) {
          let known = met.find((m) => at >= m.start && at < m.end);
          if (!known) {
            const first = DateTime.fromMillis(at, { zone }).startOf("month");
            known = { start: first.toMillis(), end: first.plus({ months: 1 }).toMillis(), month: first.toFormat("yyyy-MM") };
            met.push(known);
          }
          ({ start, end, month } = known);
        }
        const m = months.get(month) ?? { month, issued: 0, redeemed: 0, expired: 0, reversed: 0 };
        if (type === "earn" || type === "pending" || type === "import" || (type === "adjust" && points > 0)) m.issued += points;
        else if (type === "redeem" || type === "capture" || type === "return") m.redeemed -= points;
        else if (type === "expire") m.expired -= points;
        else if (type === "reverse" || (type === "adjust" && points < 0)) m.reversed -= points;
        months.set(month, m);
      };
      const t = peek(tx.state, storeId);
      if (tx.state.entries === "tallied") forEachTallied(t, add);
      else for (const e of t.entries.values()) add(e.at.getTime(), e.type, e.points);
      let outstanding = 0;
      return [...months.values()].sort((a, b) => compareText(a.month, b.month)).map((m) => {
        outstanding += m.issued - m.redeemed - m.expired - m.reversed;
        return { ...m, outstanding };
      });
    },
  };
}
