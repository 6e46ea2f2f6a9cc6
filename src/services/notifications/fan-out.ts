import { newId } from "../../core/ids.ts";
import { plannedMessages, type Channel } from "../../core/notifications/decide.ts";
import { renderMessage, type MessageValues } from "../../core/notifications/templates.ts";
import type { OutgoingEvent } from "../../core/outgoing/events.ts";
import type { NewNotification } from "../../core/ports/notifications.ts";
import type { StoreRecord } from "../../core/ports/records.ts";
import type { FanOut } from "../dispatch.ts";

/**
 * Member notifications from outgoing events (SPEC §3 Member notifications): each event's messages
 * are decided and their texts rendered now, in the dispatching transaction, and stored as
 * `pending` (sent later by the delivery worker) or `skipped` with the reason. Which transports the
 * operator configured is known at start-up and passed in.
 */
export function notificationFanOut(transports: Record<Channel, boolean>): FanOut {
  return async (repos, store, events, now) => {
    const memberIds = [...new Set(events.map((e) => e.memberId).filter((id): id is string => id !== null))];
    if (memberIds.length === 0 || !store.program.enabled) return;
    const recipients = await repos.notifications.recipients(store.id, memberIds);
    const rows: NewNotification[] = [];
    for (const event of events) {
      if (event.memberId === null) continue;
      const member = recipients.get(event.memberId) ?? null;
      for (const planned of plannedMessages(event, store.program, member, transports)) {
        const texts = renderMessage({
          scenario: planned.scenario,
          language: member?.language ?? null,
          defaultLanguage: store.program.defaultLanguage,
          timeZone: store.timezone,
          templates: store.program.templates,
          values: messageValues(event, store),
        });
        rows.push({
          id: newId("ntf"), memberId: event.memberId, eventId: event.id, scenario: planned.scenario, channel: planned.channel,
          to: planned.to, status: planned.status, reason: planned.reason ?? null,
          subject: texts.subject, text: texts.text, html: texts.html, language: texts.language, createdAt: now,
        });
      }
    }
    await repos.notifications.insert(store.id, rows);
  };
}

/** What the placeholders stand for, from the event's own data (SPEC §3 Outgoing events). */
function messageValues(event: OutgoingEvent, store: StoreRecord): MessageValues {
  const d = event.data;
  const num = (v: unknown) => (typeof v === "number" ? v : undefined);
  const str = (v: unknown) => (typeof v === "string" ? v : null);
  const discount = num(d.discount);
  return {
    points: num(d.points),
    balance: num(d.balance),
    reason: str(d.reason),
    expiresAt: str(d.expiresAt),
    tier: event.type === "member.tier_changed" ? str(d.to) : null,
    cashValue: discount === undefined ? null : { amount: discount, currency: store.currency },
    pointsName: store.program.pointsName,
    storeName: store.name,
    memberId: event.memberId ?? "",
  };
}
