import type { Repositories } from "../../src/core/ports/repositories.ts";
import type { StoreRecord } from "../../src/core/ports/records.ts";
import { awardPoints } from "../../src/services/awards.ts";
import type { Services } from "../../src/services/context.ts";
import { patchProgram } from "../../src/services/program.ts";
import { createStore } from "../../src/services/stores.ts";

const operator = { id: "test", role: "operator" as const };
const DAY = 86_400_000;

/**
 * A store on wall time whose members each hold one lot that expires `expireInDays` after the
 * services' clock, and (unless null) one that expires `remindInDays` after it (reminders go out 7
 * days ahead).
 */
export async function seedStore(services: Services, members: number, lots: { expireInDays: number; remindInDays: number | null }): Promise<StoreRecord> {
  const { store } = await createStore(services, { name: "Due work", currency: "USD", timezone: "UTC", sandbox: false }, operator);
  await patchProgram(services, store.id, { expiryReminderDays: 7 }, operator);
  await services.tx.run(async (repos) => {
    for (let i = 0; i < members; i++) {
      const memberId = `m${String(i).padStart(4, "0")}`;
      const earnedAt = services.clock.now();
      const source = { type: "adjustment" as const, ref: null };
      await awardPoints(repos, services, store.id, { memberId, points: 10, earnedAt, validity: { type: "rolling", days: lots.expireInDays }, source }, operator);
      if (lots.remindInDays === null) continue;
      await awardPoints(repos, services, store.id, { memberId, points: 5, earnedAt, validity: { type: "rolling", days: lots.remindInDays }, source }, operator);
    }
  });
  return (await services.tx.run((repos) => repos.stores.get(store.id)))!;
}

export const days = (from: Date, n: number) => new Date(from.getTime() + n * DAY);

/** The same services, with repositories changed for a test (a fault, a count, a narrower view). */
export function withRepos(services: Services, change: (repos: Repositories) => Repositories): Services {
  return { clock: services.clock, tx: { run: (fn) => services.tx.run((repos) => fn(change(repos))) } };
}

/** Only these stores are listed: the shared PostgreSQL holds other test files' stores too. */
export function onlyStores(services: Services, ids: readonly string[]): Services {
  return withRepos(services, (repos) => ({
    ...repos,
    stores: { ...repos.stores, list: async () => (await repos.stores.list()).filter((s) => ids.includes(s.id)) },
  }));
}
