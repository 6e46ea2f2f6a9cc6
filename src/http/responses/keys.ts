import { z } from "zod";
import type { Role } from "../../core/ports/records.ts";
import { enumOf, instantOut, named, page } from "./common.ts";

const role = enumOf<Role>({ viewer: true, points_manager: true, admin: true });

export const apiKeyView = named("ApiKey", z.object({
  id: z.string(),
  name: z.string(),
  role,
  createdBy: z.string().describe("The key (or `operator`) that created it"),
  createdAt: instantOut,
  revokedAt: instantOut.nullable(),
}));

export const apiKeyPage = page(apiKeyView);

export const createdApiKeyView = named("CreatedApiKey", z.object({
  id: z.string(),
  name: z.string(),
  role,
  createdAt: instantOut,
  key: z.string().nullable().describe("The secret, shown once: null when this is a replay (Idempotency-Key)"),
}));
