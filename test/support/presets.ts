import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import { expect } from "vitest";
import { call } from "./app.ts";

export function loadPreset(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(import.meta.dirname, "..", "..", "presets", `${name}.json`), "utf8")) as Record<string, unknown>;
}

/** Applies a preset to a store through the public API, as a merchant would. */
export async function applyPreset(app: FastifyInstance, key: string, name: string): Promise<void> {
  const res = await call(app, "PUT", "/v1/program/import", { key, body: loadPreset(name) });
  expect(res.statusCode, res.body).toBe(200);
}
