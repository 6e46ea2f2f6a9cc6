import { afterAll, describe, expect, it } from "vitest";
import { newId } from "../../src/core/ids.ts";
import type { NewNotification } from "../../src/core/ports/notifications.ts";
import type { Transactor } from "../../src/core/ports/repositories.ts";
import { DEFAULT_PROGRAM } from "../../src/core/program/settings.ts";
import { memoryTransactor } from "../../src/storage/memory/transactor.ts";
import type { Database } from "../../src/storage/sql.ts";
import { transactor } from "../../src/storage/transactor.ts";
import { kindsUnderTest, openTestDatabase } from "../support/db.ts";

/** The notification port on every storage: one message per event and channel, leases, retries, paging. */

const opened: Database[] = [];
afterAll(async () => {
  for (const db of opened) await db.close();
});

const storages: Array<[string, () => Promise<Transactor>]> = [
  ["memory", async () => memoryTransactor()],
  ...kindsUnderTest().map((kind): [string, () => Promise<Transactor>] => [kind, async () => {
    const db = await openTestDatabase(kind);
    opened.push(db);
    return transactor(db);
  }]),
];

describe.each(storages)("notification repository on %s", (_name, open) => {
  it("keeps one message per event and channel, leases due ones, retries and fails them, pages newest first", async () => {
    const tx = await open();
    const storeId = newId("st");
    const T0 = new Date("2026-01-15T12:00:00Z");
    await tx.run(async (repos) => {
      await repos.stores.insert({ id: storeId, name: "Good Coffee", currency: "USD", timezone: "UTC", sandbox: false, clockNow: null, program: DEFAULT_PROGRAM, createdAt: T0 });
      await repos.members.upsert(storeId, "ann", { email: "ann@example.com", language: "zh-TW" }, T0);
    });
    const message = (eventId: string, channel: "email" | "sms", status: "pending" | "skipped" = "pending"): NewNotification => ({
      id: newId("ntf"), memberId: "ann", eventId, scenario: "pointsAdjusted", channel, to: status === "pending" ? "ann@example.com" : null, status,
      reason: status === "skipped" ? "no_address" : null, subject: "Hi", text: "Hello", html: "<p>Hello</p>", language: "en", createdAt: T0,
    });
    const first = message("evt_1", "email");
    await tx.run(async (repos) => {
      expect(await repos.notifications.recipients(storeId, ["ann", "nobody"])).toEqual(new Map([["ann", { email: "ann@example.com", phone: null, language: "zh-TW" }]]));
      await repos.notifications.insert(storeId, [first, message("evt_1", "sms", "skipped")]);
      await repos.notifications.insert(storeId, [message("evt_1", "email")]);
    });
    const all = await tx.run((repos) => repos.notifications.list(storeId, "ann", 10, null));
    expect(all.data.map((n) => [n.eventId, n.channel, n.status])).toEqual([["evt_1", "sms", "skipped"], ["evt_1", "email", "pending"]]);

    const lease = new Date(T0.getTime() + 60_000);
    const claimed = await tx.run((repos) => repos.notifications.claimDue(T0, lease, 10));
    expect(claimed.filter((c) => c.storeId === storeId)).toEqual([{ storeId, id: first.id, channel: "email", to: "ann@example.com", subject: "Hi", text: "Hello", html: "<p>Hello</p>", attempts: 0 }]);
    // Leased: no other worker gets it until the lease ends.
    expect((await tx.run((repos) => repos.notifications.claimDue(T0, lease, 10))).filter((c) => c.storeId === storeId)).toEqual([]);

    const retryAt = new Date(T0.getTime() + 1_000);
    await tx.run((repos) => repos.notifications.markFailed(storeId, first.id, "ECONNREFUSED", retryAt));
    const again = await tx.run((repos) => repos.notifications.claimDue(retryAt, lease, 10));
    expect(again.filter((c) => c.storeId === storeId).map((c) => c.attempts)).toEqual([1]);
    await tx.run((repos) => repos.notifications.markFailed(storeId, first.id, "550 no such user", null));
    await tx.run((repos) => repos.notifications.markSent(storeId, first.id, retryAt));

    const page1 = await tx.run((repos) => repos.notifications.list(storeId, "ann", 1, null));
    const page2 = await tx.run((repos) => repos.notifications.list(storeId, "ann", 1, page1.nextCursor));
    expect(page1.data[0]!.channel).toBe("sms");
    expect(page2.data[0]).toMatchObject({ id: first.id, status: "failed", attempts: 2, lastError: "550 no such user", nextAttemptAt: null, sentAt: null });
    expect(page2.nextCursor).toBeNull();
  });
});
