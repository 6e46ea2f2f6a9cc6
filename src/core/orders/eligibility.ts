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
}

/**
 * The snapshot the order keeps: the one taken before, while the order names the same member;
 * otherwise the member as they are now. A guest checkout is not a signed-in member: it counts as
 * a non-member's order, without a tier.
 */
export function orderEligibility(
  previous: OrderEligibility | null,
  order: Pick<Order, "memberId" | "guest">,
  member: { memberId: string; isMember: boolean; tier: string | null } | undefined,
): OrderEligibility | null {
  if (!order.memberId || !member) return previous;
  if (previous && previous.memberId === order.memberId) return previous;
  const guest = order.guest === true;
  return { memberId: member.memberId, isMember: member.isMember && !guest, tier: guest ? null : member.tier, guest };
}
