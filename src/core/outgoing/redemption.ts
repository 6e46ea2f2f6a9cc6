import type { RedemptionRecord } from "../ports/records.ts";
import { outgoing, type OutgoingMessage } from "./events.ts";

/** `redemption.held`, `.completed` or `.released` for a redemption as it now stands. */
export function redemptionMessage(
  type: "redemption.held" | "redemption.completed" | "redemption.released",
  r: RedemptionRecord,
): OutgoingMessage {
  return outgoing(type, r.memberId, {
    redemptionId: r.id, methodId: r.methodId, type: r.type, points: r.points,
    discount: r.discount, code: r.code, orderId: r.orderId,
  });
}
