import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { RetryingClient } from "./http.ts";

/** What the load needs to know about the store it writes to. */
export interface ChaosStore {
  storeId: string;
  /** The store's first admin key (admin includes points_manager). */
  token: string;
  cashbackMethodId: string;
  tickRuleId: string;
  unitsRuleId: string;
  members: string[];
}

export const TICK_EVENT = "chaos.tick";
/** The fixed rule: every tick earns this much. */
export const TICK_POINTS = 5;
/** The per_unit rule: UNIT_POINTS for every UNIT_PER units, accumulated per member across events. */
export const UNIT_POINTS = 3;
export const UNIT_PER = 10;

const PRESET = fileURLToPath(new URL("../../presets/member-points.json", import.meta.url));

async function expectStatus(client: RetryingClient, status: number, method: string, path: string, token: string, body?: unknown, idempotencyKey?: string) {
  const answer = await client.send(method, path, { token, body, idempotencyKey });
  if (answer.status !== status) throw new Error(`setup: ${method} ${path} answered ${answer.status}: ${JSON.stringify(answer.body)}`);
  return answer.body;
}

/**
 * A store on wall time running the member-points preset (orders earn points pending for 3 days),
 * plus two event rules so events earn at once (a fixed award, and a per_unit award whose running
 * total would drift if an event were counted twice), and a cashback method without a minimum
 * so holds can be placed on small carts.
 */
export async function createChaosStore(client: RetryingClient, operatorToken: string, memberCount: number): Promise<ChaosStore> {
  const store = await expectStatus(client, 201, "POST", "/v1/stores", operatorToken, { name: "Chaos", currency: "USD", timezone: "UTC" });
  const token = store.apiKey as string;
  const preset = JSON.parse(readFileSync(PRESET, "utf8")) as unknown;
  await expectStatus(client, 200, "PUT", "/v1/program/import", token, preset);
  const tick = await expectStatus(client, 201, "POST", "/v1/earn-rules", token, {
    name: "Chaos tick", event: TICK_EVENT, award: { type: "fixed", points: TICK_POINTS },
  });
  const units = await expectStatus(client, 201, "POST", "/v1/earn-rules", token, {
    name: "Chaos units", event: TICK_EVENT, award: { type: "per_unit", points: UNIT_POINTS, per: UNIT_PER, field: "properties.units" },
  });
  const method = await expectStatus(client, 201, "POST", "/v1/redeem-methods", token, {
    type: "cashback", name: "Chaos cashback", points: 10, amount: 100, maxPointsPerOrder: 500,
  });
  const members = Array.from({ length: memberCount }, (_, i) => `chaos-m${String(i).padStart(2, "0")}`);
  for (const memberId of members) await expectStatus(client, 200, "PUT", `/v1/members/${memberId}`, token, { isMember: true });
  return { storeId: store.id, token, cashbackMethodId: method.id, tickRuleId: tick.id, unitsRuleId: units.id, members };
}
