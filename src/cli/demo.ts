import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Services } from "../services/context.ts";
import { insertStore } from "../services/stores.ts";
import { importProgram } from "../services/program-document.ts";

export interface Demo {
  storeId: string;
  apiKey: string;
}

const PRESET = fileURLToPath(new URL("../../presets/member-points.json", import.meta.url));

/**
 * A sandbox store running the member-points preset, made once per data folder. Only the key's
 * hash is in the database, so the key itself is kept beside it to be shown again at the next start.
 */
export async function ensureDemoStore(services: Services, dataDir: string): Promise<Demo> {
  const file = join(dataDir, "demo.json");
  if (existsSync(file)) {
    const demo = JSON.parse(readFileSync(file, "utf8")) as Demo;
    const exists = await services.tx.run((repos) => repos.stores.get(demo.storeId));
    if (exists) return demo;
  }
  const actor = { id: "demo-setup", role: "operator" as const };
  const preset = JSON.parse(readFileSync(PRESET, "utf8")) as unknown;
  // One transaction, so a crash never leaves a demo store without its program. The file is written
  // before the commit: if the commit fails it names a store that does not exist, and the next start
  // makes one, rather than a committed store nobody has the key of.
  return services.tx.run(async (repos) => {
    const { store, apiKey } = await insertStore(repos, services, { name: "Demo store", currency: "USD", timezone: "America/New_York", sandbox: true }, actor);
    await importProgram(repos, services, store.id, preset, { dryRun: false }, actor);
    const demo = { storeId: store.id, apiKey };
    writeFileSync(file, JSON.stringify(demo, null, 2), { mode: 0o600 });
    return demo;
  });
}
