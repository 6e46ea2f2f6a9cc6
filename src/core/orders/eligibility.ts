import type { Order } from "./order.ts";

/**
 * Who the order's member was when Pointbook first recorded the order for them: rule audiences and
 * tier multipliers read this, never the member as they are at the award moment, so a guest who
 * registers between checkout and delivery does not earn for the order.
 */
export interface OrderEligibility {
  memberId: string;
  isMember: boolean;
  tier: string | null;
  guest: boolean;
  /**
   * Whether the program was enabled when the order was first recorded: an order placed while it
   * was keeps its promise and earns at its award moment, even if the program is disabled by then.
   * Snapshots taken before this was kept lack it; their next update takes it.
   */
  programEnabled?: boolean;
}

/**
 * The snapshot the order keeps: the one taken before, while the order names the same member;
 * otherwise the member as they are now. A guest checkout is not a signed-in member: it counts as
 * a non-member's order, without a tier. The program's promise belongs to the order, not to its
 * member: it is kept when the order moves to another member.
 */
export function orderEligibility(
  previous: OrderEligibility | null,
  order: Pick<Order, "memberId" | "guest">,
  member: { memberId: string; isMember: boolean; tier: string | null } | undefined,
  programEnabled: boolean,
): OrderEligibility | null {
  if (!order.memberId || !member) return previous;
  if (previous && previous.memberId === order.memberId) return previous.programEnabled === undefined ? { ...previous, programEnabled } : previous;
  const guest = order.guest === true;
  return {
    memberId: member.memberId, isMember: member.isMember && !guest, tier: guest ? null : member.tier, guest,
    programEnabled: previous?.programEnabled ?? programEnabled,
  };
}
