/** The demo store and its program are made together or not at all. */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureDemoStore } from "../../src/cli/demo.ts";
import type { Services } from "../../src/services/context.ts";
import type { Database } from "../../src/storage/sql.ts";
import { transactor } from "../../src/storage/transactor.ts";
import { TestClock } from "../support/clock.ts";
import { openTestDatabase } from "../support/db.ts";
import { withRepos } from "./seed.ts";

const PRESET = JSON.parse(readFileSync(new URL("../../presets/member-points.json", import.meta.url), "utf8")) as { settings: { validity: unknown } };

describe("demo store", () => {
  let db: Database;
  let services: Services;
  const dirs: string[] = [];
  const dataDir = () => {
    const d = mkdtempSync(join(tmpdir(), "pointbook-demo-"));
    dirs.push(d);
    return d;
  };
  beforeAll(async () => {
    db = await openTestDatabase();
    services = { tx: transactor(db), clock: new TestClock() };
  });
  afterAll(async () => {
    await db.close();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it("is made once per data folder, with the member-points program", async () => {
    const dir = dataDir();
    const demo = await ensureDemoStore(services, dir);
    expect(await ensureDemoStore(services, dir)).toEqual(demo);
    const store = await services.tx.run((repos) => repos.stores.get(demo.storeId));
    expect(store).toMatchObject({ name: "Demo store", sandbox: true, program: { validity: PRESET.settings.validity } });
  });

  it("leaves no store behind when its program cannot be written", async () => {
    const inserted: string[] = [];
    const faulty = withRepos(services, (repos) => ({
      ...repos,
      stores: {
        ...repos.stores,
        insert: async (s) => {
          inserted.push(s.id);
          await repos.stores.insert(s);
        },
        update: async () => Promise.reject(new Error("disk full")),
      },
    }));
    const dir = dataDir();
    await expect(ensureDemoStore(faulty, dir)).rejects.toThrow("disk full");
    expect(inserted).toHaveLength(1);
    expect(await services.tx.run((repos) => repos.stores.get(inserted[0]!))).toBeNull();

    // The next start makes it whole.
    const demo = await ensureDemoStore(services, dir);
    expect(demo.storeId).not.toBe(inserted[0]);
    expect(await services.tx.run((repos) => repos.stores.get(demo.storeId))).toMatchObject({ program: { validity: PRESET.settings.validity } });
  });
});
