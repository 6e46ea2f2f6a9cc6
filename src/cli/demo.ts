import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Services } from "../services/context.ts";
import { createStore } from "../services/stores.ts";
import { patchProgram } from "../services/program.ts";
import { createMethod } from "../services/redeem-methods.ts";
import { redeemMethodSchema } from "../core/redemption/methods.ts";

export interface Demo {
  storeId: string;
  apiKey: string;
}

/**
 * A sandbox store to try the API on, made once per data folder. Only the key's hash is in the
 * database, so the key itself is kept beside it to be shown again at the next start.
 */
export async function ensureDemoStore(services: Services, dataDir: string): Promise<Demo> {
  const file = join(dataDir, "demo.json");
  if (existsSync(file)) {
    const demo = JSON.parse(readFileSync(file, "utf8")) as Demo;
    const exists = await services.tx.run((repos) => repos.stores.get(demo.storeId));
    if (exists) return demo;
  }
  const actor = { id: "demo-setup", role: "operator" as const };
  const { store, apiKey } = await createStore(services, { name: "Demo store", currency: "USD", timezone: "America/New_York", sandbox: true }, actor);
  await patchProgram(services, store.id, {
    pointsName: { en: "Points" },
    rulesText: { en: "Earn 1 point for every $10 spent. 10 points = $1 off at checkout. Points expire on December 31 of the following year." },
    validity: { type: "fixed_date", month: 12, day: 31 },
    expiryReminderDays: 30,
  }, actor);
  await services.tx.run(async (repos) => {
    await createMethod(repos, services, store.id, redeemMethodSchema.parse({
      type: "cashback", name: "Points as cash", points: 10, amount: 100, minSubtotal: 2000, maxDiscount: { type: "fixed", amount: 5000 },
    }), actor);
    await createMethod(repos, services, store.id, redeemMethodSchema.parse({
      type: "catalog", name: "Free tote bag", points: 200, grant: { sku: "tote-bag", units: 1, validDays: 365 },
    }), actor);
  });
  const demo = { storeId: store.id, apiKey };
  writeFileSync(file, JSON.stringify(demo, null, 2), { mode: 0o600 });
  return demo;
}
