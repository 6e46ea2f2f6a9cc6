import type { ClaimedNotification, NotificationRecord, NotificationRepository } from "../../core/ports/notifications.ts";
import { peek, type NotificationRow } from "./state.ts";
import { requireStoreRow, tenantFor } from "./tables.ts";
import type { MemoryTx } from "./transaction.ts";
import { compareText, firstN, page } from "./values.ts";

const toRecord = ({ leaseUntil: _lease, ...r }: NotificationRow): NotificationRecord => ({ ...r });

/** Transactions run one at a time here, so a claimed row is never locked by another worker; the lease still is. */
export function notificationRepository(tx: MemoryTx): NotificationRepository {
  return {
    async recipients(storeId, memberIds) {
      const members = peek(tx.state, storeId).members;
      const found = new Map<string, { email: string | null; phone: string | null; language: string | null }>();
      for (const id of memberIds) {
        const m = members.get(id);
        if (m) found.set(id, { email: m.email, phone: m.phone, language: m.language });
      }
      return found;
    },
    async insert(storeId, rows) {
      if (rows.length === 0) return;
      requireStoreRow(tx, storeId, "notifications");
      const t = tenantFor(tx, storeId);
      for (const n of rows) {
        const key = `${n.eventId}\u0000${n.channel}`;
        if (t.notificationKeys.has(key)) continue;
        tx.put(t.notificationKeys, key, n.id);
        tx.put(t.notifications, n.id, {
          ...n, createdAt: new Date(n.createdAt), attempts: 0, lastError: null, sentAt: null, leaseUntil: null,
          nextAttemptAt: n.status === "pending" ? new Date(n.createdAt) : null,
        });
      }
    },
    async claimDue(now, leaseUntil, limit) {
      const due: Array<{ storeId: string; row: NotificationRow }> = [];
      for (const [storeId, t] of tx.state.tenants) {
        for (const row of t.notifications.values()) {
          if (row.status === "pending" && row.nextAttemptAt !== null && row.nextAttemptAt <= now && (row.leaseUntil === null || row.leaseUntil <= now)) {
            due.push({ storeId, row });
          }
        }
      }
      due.sort((a, b) => a.row.nextAttemptAt!.getTime() - b.row.nextAttemptAt!.getTime());
      return due.slice(0, limit).map(({ storeId, row }): ClaimedNotification => {
        tx.put(tenantFor(tx, storeId).notifications, row.id, { ...row, leaseUntil: new Date(leaseUntil) });
        return { storeId, id: row.id, channel: row.channel, to: row.to ?? "", subject: row.subject, text: row.text, html: row.html, attempts: row.attempts };
      });
    },
    async markSent(storeId, id, at) {
      const t = tenantFor(tx, storeId);
      const row = t.notifications.get(id);
      if (row?.status !== "pending") return;
      tx.put(t.notifications, id, { ...row, status: "sent", attempts: row.attempts + 1, sentAt: new Date(at), lastError: null, nextAttemptAt: null, leaseUntil: null });
    },
    async markFailed(storeId, id, error, retryAt) {
      const t = tenantFor(tx, storeId);
      const row = t.notifications.get(id);
      if (row?.status !== "pending") return;
      tx.put(t.notifications, id, {
        ...row, status: retryAt === null ? "failed" : "pending", attempts: row.attempts + 1, lastError: error,
        nextAttemptAt: retryAt === null ? null : new Date(retryAt), leaseUntil: null,
      });
    },
    async list(storeId, memberId, limit, cursor) {
      const rows = firstN(peek(tx.state, storeId).notifications.values(), (r) => r.memberId === memberId && (cursor === null || compareText(r.id, cursor) < 0),
        (a, b) => compareText(b.id, a.id), limit + 1);
      return page(rows, limit, toRecord, (r) => r.id);
    },
  };
}
