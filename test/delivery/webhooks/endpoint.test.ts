import { describe, expect, it } from "vitest";
import { OUTGOING_TYPES } from "../../../src/core/outgoing/events.ts";
import { matches, webhookEndpointInput, webhookEndpointPatch } from "../../../src/core/webhooks/endpoint.ts";

function problems(input: unknown): string[] {
  const result = webhookEndpointInput.safeParse(input);
  return result.success ? [] : result.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
}

describe("webhook endpoint schema", () => {
  it("accepts https and http URLs with known event types or exactly [\"*\"]", () => {
    expect(problems({ url: "https://shop.example.com/hooks?x=1", events: ["*"] })).toEqual([]);
    expect(problems({ url: "http://shop.example.com:8080/h", events: ["member.points_changed", "order.points_updated"] })).toEqual([]);
    expect(problems({ url: "https://shop.example.com/", events: [...OUTGOING_TYPES], description: "CRM", enabled: false })).toEqual([]);
  });

  it("refuses other schemes", () => {
    for (const url of ["ftp://shop.example.com/x", "file:///etc/passwd", "javascript:alert(1)", "gopher://a.example/", "shop.example.com/hooks"]) {
      expect(problems({ url, events: ["*"] }).join()).toMatch(/^url: /);
    }
  });

  it("refuses credentials, fragments, control characters and over-long URLs", () => {
    expect(problems({ url: "https://user:pass@shop.example.com/h", events: ["*"] })).toEqual(["url: must not contain credentials (user:password@)"]);
    expect(problems({ url: "https://user@shop.example.com/h", events: ["*"] })).toEqual(["url: must not contain credentials (user:password@)"]);
    expect(problems({ url: "https://shop.example.com/h#frag", events: ["*"] })[0]).toMatch(/fragment/);
    expect(problems({ url: "https://shop.exa\nmple.com/h", events: ["*"] })[0]).toMatch(/control/);
    expect(problems({ url: " https://shop.example.com/h", events: ["*"] })[0]).toMatch(/spaces/);
    expect(problems({ url: `https://shop.example.com/${"a".repeat(2_100)}`, events: ["*"] })[0]).toMatch(/^url: /);
  });

  it("refuses unknown event types, naming them", () => {
    const found = problems({ url: "https://shop.example.com/h", events: ["member.points_changed", "member.deleted"] });
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/^events: unknown event type "member.deleted"/);
  });

  it("takes \"*\" only alone", () => {
    expect(problems({ url: "https://shop.example.com/h", events: ["*", "member.points_changed"] })).toEqual([
      'events: "*" must stand alone: ["*"]',
    ]);
    expect(problems({ url: "https://shop.example.com/h", events: ["*", "*"] })[0]).toMatch(/stand alone/);
  });

  it("refuses an empty list, duplicates, and fields it does not know", () => {
    expect(problems({ url: "https://shop.example.com/h", events: [] })[0]).toMatch(/^events: must (be|list at least one)/);
    expect(problems({ url: "https://shop.example.com/h", events: ["order.points_updated", "order.points_updated"] })).toEqual([
      "events: lists an event type twice",
    ]);
    expect(problems({ url: "https://shop.example.com/h", events: ["*"], secret: "whsec_x" }).join()).toMatch(/secret/);
    expect(problems({ url: "https://shop.example.com/h", events: ["*"], description: "d".repeat(501) })[0]).toMatch(/^description/);
  });

  it("PATCH takes any of the fields, at least one", () => {
    expect(webhookEndpointPatch.safeParse({ enabled: false }).success).toBe(true);
    expect(webhookEndpointPatch.safeParse({ events: ["redemption.held"] }).success).toBe(true);
    expect(webhookEndpointPatch.safeParse({}).success).toBe(false);
    expect(webhookEndpointPatch.safeParse({ url: "ftp://x.example/" }).success).toBe(false);
  });
});

describe("matches", () => {
  it("a wildcard endpoint hears every type; a list hears only its own", () => {
    for (const type of OUTGOING_TYPES) expect(matches(["*"], type)).toBe(true);
    expect(matches(["redemption.held"], "redemption.held")).toBe(true);
    expect(matches(["redemption.held"], "redemption.completed")).toBe(false);
  });
});
