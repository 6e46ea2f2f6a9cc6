import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openPglite, type PgliteDatabase } from "../../src/storage/pglite.ts";
import { sql as outcomes } from "../../src/storage/migrations/009_idempotency_outcomes.ts";

/** Rows stored as HTTP replies by earlier versions become command outcomes, replayed the same way. */
describe("migration 009: idempotency records as outcomes", () => {
  let db: PgliteDatabase;
  beforeAll(async () => {
    db = await openPglite();
    await db.script(`CREATE TABLE idempotency (store_id text, scope text, key text, fingerprint text, status_code integer, response jsonb,
      created_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (store_id, scope, key))`);
    await db.query(`INSERT INTO idempotency (store_id, scope, key, fingerprint, status_code, response) VALUES
      ('s', 'request', 'ok', 'f1', 201, '{"id": "ent_1", "points": 5}'),
      ('s', 'request', 'no', 'f2', 409, '{"type": "https://pointbook.dev/problems/insufficient-points", "title": "Not enough points", "status": 409, "detail": "the member has 3 points", "code": "insufficient_points", "available": 3}'),
      ('s', 'request', 'bad', 'f3', 422, '{"type": "t", "title": "x", "status": 422, "detail": "points: is required", "code": "validation_failed", "errors": [{"path": "points", "message": "is required"}]}'),
      ('s', 'event', 'e1', 'f4', 201, '{"eventId": "e1", "points": 10}')`);
    await db.script(outcomes);
  });
  afterAll(async () => db?.close());

  it("keeps successes as values and refusals as code, message and details", async () => {
    const rows = await db.query<{ key: string; response: unknown }>("SELECT key, response FROM idempotency ORDER BY key");
    expect(Object.fromEntries(rows.map((r) => [r.key, r.response]))).toEqual({
      ok: { ok: true, value: { id: "ent_1", points: 5 } },
      no: { ok: false, error: { code: "insufficient_points", message: "the member has 3 points", details: { available: 3 } } },
      bad: { ok: false, error: { code: "validation_failed", message: "points: is required", details: { errors: [{ path: "points", message: "is required" }] } } },
      e1: { ok: true, value: { eventId: "e1", points: 10 } },
    });
    const columns = await db.query<{ column_name: string }>("SELECT column_name FROM information_schema.columns WHERE table_name = 'idempotency'");
    expect(columns.map((c) => c.column_name)).not.toContain("status_code");
  });
});
