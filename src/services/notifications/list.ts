import { notFound } from "../../core/errors.ts";
import type { NotificationRecord } from "../../core/ports/notifications.ts";
import type { Page } from "../../core/ports/records.ts";
import { requireStore, type Services } from "../context.ts";

/** A member's messages, newest first (SPEC §3 Member notifications); an unknown member is not found. */
export async function memberNotifications(
  services: Services,
  storeId: string,
  memberId: string,
  page: { limit: number; cursor: string | null },
): Promise<Page<NotificationRecord>> {
  return services.tx.run(async (repos) => {
    await requireStore(repos, storeId);
    if (!(await repos.members.get(storeId, memberId))) throw notFound("member");
    return repos.notifications.list(storeId, memberId, page.limit, page.cursor);
  });
}
