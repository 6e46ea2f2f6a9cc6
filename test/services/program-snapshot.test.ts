/**
 * The program cache (services/program-snapshot.ts): two servers on one database, each with its own
 * cache. A rule or tier changed through one is in force for the other's next command, and while
 * nothing changes a command reads neither rules nor tiers.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { earnRuleSchema } from "../../src/core/rules/schema.ts";
import { tierSchema } from "../../src/core/tiers/schema.ts";
import type { Actor, Services } from "../../src/services/context.ts";
import { createRule, deleteRule, updateRule } from "../../src/services/earn-rules.ts";
import { recordEvents } from "../../src/services/record-events.ts";
import { createStore } from "../../src/services/stores.ts";
import { saveTier, assignTier } from "../../src/services/tiers.ts";
import type { Database } from "../../src/storage/sql.ts";
import { transactor } from "../../src/storage/transactor.ts";
import { recordingDatabase, type Recorder } from "../scaling/recording-db.ts";
import { TestClock } from "../support/clock.ts";
import { configuredKind, openTestDatabase } from "../support/db.ts";

const ADMIN: Actor = { id: "admin", role: "admin" };
const OPERATOR: Actor = { id: "test", role: "operator" };

describe(`program cache (${configuredKind()})`, () => {
  let db: Database;
  let rec: Recorder;
  let serverA: Services;
  let serverB: Services;
  let storeId: string;
  let ruleId: string;
  let seq = 0;

  const earn = async (services: Services, memberId = "m1") => {
    const id = `ev${seq++}`;
    const [outcome] = await services.tx.run((repos) => recordEvents(repos, services, storeId, [{ event: { id, type: "visit", memberId, properties: {} }, fingerprint: id }], ADMIN));
    if (outcome?.kind !== "recorded") throw new Error(`event not recorded: ${JSON.stringify(outcome)}`);
    return (outcome.body as { awards: Array<{ points: number }> }).awards.reduce((sum, a) => sum + a.points, 0);
  };

  beforeAll(async () => {
    db = await openTestDatabase();
    rec = recordingDatabase(db);
    const clock = new TestClock();
    serverA = { tx: transactor(rec.db), clock };
    serverB = { tx: transactor(db), clock };
    storeId = (await createStore(serverB, { name: "Cache", currency: "USD", timezone: "UTC" }, OPERATOR)).store.id;
    ruleId = (await serverB.tx.run((repos) => createRule(repos, serverB, storeId, earnRuleSchema.parse({ name: "visit", event: "visit", award: { type: "fixed", points: 5 } }), ADMIN))).id;
  });
  afterAll(async () => db?.close());

  it("a warm cache reads neither rules nor tiers", async () => {
    expect(await earn(serverA)).toBe(5);
    rec.statements.length = 0;
    expect(await earn(serverA)).toBe(5);
    const texts = rec.statements.map((s) => s.text);
    expect(texts.some((t) => /FROM stores/.test(t))).toBe(true);
    expect(texts.filter((t) => /earn_rule_versions|FROM tiers/.test(t))).toEqual([]);
  });

  it("a rule changed by another server is in force for the next command", async () => {
    expect(await earn(serverA)).toBe(5);
    await serverB.tx.run((repos) => updateRule(repos, serverB, storeId, ruleId, { award: { type: "fixed", points: 7 } }, ADMIN));
    expect(await earn(serverA)).toBe(7);
  });

  it("a new tier's multiplier applies at once, and a deleted rule stops earning", async () => {
    await serverB.tx.run(async (repos) => {
      await saveTier(repos, serverB, storeId, tierSchema.parse({ code: "gold", name: "Gold", rank: 1, multiplier: 2 }), ADMIN, false);
      await assignTier(repos, serverB, storeId, ["m2"], "gold", ADMIN);
    });
    expect(await earn(serverA, "m2")).toBe(14);
    await serverB.tx.run((repos) => deleteRule(repos, serverB, storeId, ruleId, ADMIN));
    expect(await earn(serverA, "m2")).toBe(0);
  });
});
