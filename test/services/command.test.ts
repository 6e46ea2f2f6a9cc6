/**
 * The command runner (services/command.ts): one transaction per command, the outcome — not an HTTP
 * reply — stored under an idempotency key, and outgoing events written only when the command
 * succeeds. Runs on the configured database with no HTTP in between, as the platform receivers and
 * the CLI call it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DomainError } from "../../src/core/errors.ts";
import { adjustMember } from "../../src/services/adjustments.ts";
import { runCommand } from "../../src/services/command.ts";
import type { Actor, Services } from "../../src/services/context.ts";
import { createStore } from "../../src/services/stores.ts";
import type { Database } from "../../src/storage/sql.ts";
import { transactor } from "../../src/storage/transactor.ts";
import { TestClock } from "../support/clock.ts";
import { configuredKind, openTestDatabase } from "../support/db.ts";

const STAFF: Actor = { id: "staff", role: "points_manager" };
const OPERATOR: Actor = { id: "test", role: "operator" };

describe(`command runner (${configuredKind()})`, () => {
  let db: Database;
  let services: Services;
  let storeId: string;
  const outbox = async (memberId: string) =>
    (await db.query<{ topic: string }>("SELECT topic FROM outbox WHERE store_id = $1 AND member_id = $2 ORDER BY created_at, id", [storeId, memberId])).map((r) => r.topic);
  const balance = async (memberId: string) =>
    (await db.query<{ balance: number }>("SELECT balance FROM members WHERE store_id = $1 AND member_id = $2", [storeId, memberId]))[0]?.balance ?? null;

  beforeAll(async () => {
    db = await openTestDatabase();
    services = { tx: transactor(db), clock: new TestClock() };
    storeId = (await createStore(services, { name: "Commands", currency: "USD", timezone: "UTC" }, OPERATOR)).store.id;
  });
  afterAll(async () => db?.close());

  const credit = (memberId: string, points: number) => ({
    storeId,
    run: (repos: Parameters<typeof adjustMember>[0]) => adjustMember(repos, services, storeId, memberId, { points, reason: "test" }, STAFF),
  });

  it("a success returns its value and writes its outgoing events with the change", async () => {
    const { outcome, replayed } = await runCommand(services, credit("c1", 40));
    expect(replayed).toBe(false);
    expect(outcome.ok && outcome.value.balanceAfter).toBe(40);
    expect(await balance("c1")).toBe(40);
    expect(await outbox("c1")).toEqual(["member.points_changed"]);
  });

  it("a refusal is an outcome, not an exception, and leaves no change and no outgoing event", async () => {
    const { outcome } = await runCommand(services, credit("c2", -5));
    expect(outcome.ok).toBe(false);
    expect(!outcome.ok && outcome.error.code).toBe("insufficient_points");
    expect(await outbox("c2")).toEqual([]);
  });

  it("an idempotency key runs the command once and replays the stored outcome", async () => {
    const idempotency = { key: "cmd-once", fingerprint: "fp-a" };
    const first = await runCommand(services, { ...credit("c3", 25), idempotency });
    const again = await runCommand(services, { ...credit("c3", 25), idempotency });
    expect(again.replayed).toBe(true);
    expect(again.outcome).toEqual({ ok: true, value: JSON.parse(JSON.stringify(first.outcome.ok && first.outcome.value)) });
    expect(await balance("c3")).toBe(25);
    expect(await outbox("c3")).toEqual(["member.points_changed"]);

    const other = await runCommand(services, { ...credit("c3", 99), idempotency: { key: "cmd-once", fingerprint: "fp-b" } });
    expect(!other.outcome.ok && other.outcome.error.code).toBe("idempotency_conflict");
    expect(await balance("c3")).toBe(25);
  });

  it("a refusal is stored too, and replayed as the same domain error with its details", async () => {
    const idempotency = { key: "cmd-refused", fingerprint: "fp" };
    const first = await runCommand(services, { ...credit("c4", -7), idempotency });
    // Points arrive in between: the retry still gets the refusal it got the first time.
    await runCommand(services, credit("c4", 100));
    const again = await runCommand(services, { ...credit("c4", -7), idempotency });
    expect(again.replayed).toBe(true);
    expect(again.outcome.ok).toBe(false);
    if (first.outcome.ok || again.outcome.ok) throw new Error("expected refusals");
    expect(again.outcome.error).toBeInstanceOf(DomainError);
    expect([again.outcome.error.code, again.outcome.error.message, again.outcome.error.details]).toEqual([first.outcome.error.code, first.outcome.error.message, first.outcome.error.details]);
    expect(await balance("c4")).toBe(100);
  });

  it("stores what `stored` says, so a secret shown once is not replayed", async () => {
    const command = { storeId, idempotency: { key: "cmd-secret", fingerprint: "fp" }, run: async () => ({ id: "k1", secret: "s3cr3t" }), stored: (v: { id: string }) => ({ ...v, secret: null }) };
    expect((await runCommand(services, command)).outcome).toEqual({ ok: true, value: { id: "k1", secret: "s3cr3t" } });
    expect((await runCommand(services, command)).outcome).toEqual({ ok: true, value: { id: "k1", secret: null } });
  });

  it("an unexpected error is thrown and undoes everything, the idempotency claim included", async () => {
    const idempotency = { key: "cmd-crash", fingerprint: "fp" };
    const crash = { storeId, idempotency, run: async (repos: Parameters<typeof adjustMember>[0]) => {
      await adjustMember(repos, services, storeId, "c5", { points: 10, reason: "test" }, STAFF);
      throw new Error("disk on fire");
    } };
    await expect(runCommand(services, crash)).rejects.toThrow("disk on fire");
    expect(await balance("c5")).toBe(null);
    expect(await outbox("c5")).toEqual([]);
    const retry = await runCommand(services, { ...credit("c5", 10), idempotency });
    expect(retry.replayed).toBe(false);
    expect(await balance("c5")).toBe(10);
  });
});
