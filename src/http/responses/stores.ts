import { z } from "zod";
import { instantOut, named } from "./common.ts";

const storeFields = {
  id: z.string(),
  name: z.string(),
  currency: z.string().describe("ISO 4217"),
  timezone: z.string().describe("IANA time zone"),
  sandbox: z.boolean(),
  clock: instantOut.nullable().optional().describe("A sandbox store's own now; absent for stores on wall time"),
};

export const storeView = named("Store", z.object({ ...storeFields, createdAt: instantOut }));

export const createdStoreView = named("CreatedStore", z.object({
  ...storeFields,
  createdAt: instantOut,
  apiKey: z.string().nullable().describe("The store's first admin key, shown once: null when this is a replay (Idempotency-Key)"),
}));
