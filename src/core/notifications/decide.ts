import type { OutgoingType } from "../outgoing/events.ts";
import type { ProgramSettings } from "../program/settings.ts";
import type { Scenario } from "./scenarios.ts";

export type Channel = "email" | "sms";

export interface Recipient {
  email: string | null;
  phone: string | null;
}

/** One message to make: sent later (`pending`), or recorded as `skipped` with the reason. */
export interface PlannedMessage {
  scenario: Scenario;
  channel: Channel;
  to: string | null;
  status: "pending" | "skipped";
  reason?: "no_address" | "no_transport";
}

interface EventLike {
  type: OutgoingType;
  data: Record<string, unknown>;
}

const CREDITED_BY = new Set(["event", "order"]);

/** Which scenario an outgoing event is, if any: points earned once available, manual increases, reminders, redemptions, tier changes. */
export function scenarioOf(event: EventLike): Scenario | null {
  switch (event.type) {
    case "member.points_changed": {
      const { entryType, points, source } = event.data as { entryType: string; points: number; source: { type: string } };
      if ((entryType === "earn" || entryType === "mature") && points > 0 && CREDITED_BY.has(source.type)) return "pointsEarned";
      if (entryType === "adjust" && points > 0) return "pointsAdjusted"; // decreases never notify
      return null;
    }
    case "member.points_expiring": return "expiryReminder";
    case "redemption.completed": return "redemption";
    case "member.tier_changed": return "tierChanged";
    default: return null;
  }
}

/**
 * The messages an outgoing event makes for its member: per channel, the program's switch for the
 * scenario (an adjustment's own `notify` overrides the `pointsAdjusted` switches), then the member's
 * address and the operator's transport; nothing at all while the program is disabled.
 */
export function plannedMessages(event: EventLike, program: ProgramSettings, member: Recipient | null, transports: Record<Channel, boolean>): PlannedMessage[] {
  if (!program.enabled || member === null) return [];
  const scenario = scenarioOf(event);
  if (scenario === null) return [];
  const override = scenario === "pointsAdjusted" ? (event.data.notify as { email?: boolean; sms?: boolean } | undefined) : undefined;
  const wanted: Record<Channel, boolean> = {
    email: override?.email ?? program.notifications[scenario],
    sms: override?.sms ?? program.smsNotifications[scenario],
  };
  const address: Record<Channel, string | null> = { email: member.email, sms: member.phone };
  return (["email", "sms"] as const).filter((c) => wanted[c]).map((channel): PlannedMessage => {
    const to = address[channel];
    if (!to) return { scenario, channel, to: null, status: "skipped", reason: "no_address" };
    if (!transports[channel]) return { scenario, channel, to, status: "skipped", reason: "no_transport" };
    return { scenario, channel, to, status: "pending" };
  });
}
