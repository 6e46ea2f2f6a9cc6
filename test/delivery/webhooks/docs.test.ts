import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { OUTGOING_TYPES, outgoingData, type OutgoingType } from "../../../src/core/outgoing/events.ts";

/** The payload examples in docs/webhooks.md are what merchants copy: each must be a valid event. */
const doc = readFileSync(new URL("../../../docs/webhooks.md", import.meta.url), "utf8");
const examples = [...doc.matchAll(/```json\n([\s\S]*?)```/g)]
  .map((m) => JSON.parse(m[1]!) as Record<string, unknown>)
  .filter((e) => typeof e.type === "string" && "data" in e);

describe("docs/webhooks.md examples", () => {
  it("show every event type", () => {
    expect(new Set(examples.map((e) => e.type))).toEqual(new Set(OUTGOING_TYPES));
  });

  it.each(examples.map((e) => [e.type as string, e] as const))("%s matches its schema", (_type, example) => {
    expect(Object.keys(example).sort()).toEqual(["data", "id", "memberId", "occurredAt", "storeId", "type"]);
    expect(example.id).toMatch(/^evt_/);
    expect(Number.isNaN(Date.parse(String(example.occurredAt)))).toBe(false);
    const result = outgoingData[example.type as OutgoingType].safeParse(example.data);
    expect(result.success ? [] : result.error.issues).toEqual([]);
  });
});
