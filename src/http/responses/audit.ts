import { z } from "zod";
import { instantOut, named, page } from "./common.ts";

export const auditEntryView = named("AuditEntry", z.object({
  id: z.string(),
  at: instantOut,
  actor: z.string().describe("The key (or `operator`) that made the change"),
  action: z.string().describe("What was done: `earn_rule.updated`, `key.created`…"),
  entityType: z.string(),
  entityId: z.string(),
  before: z.unknown().describe("The entity before the change (null when created)"),
  after: z.unknown().describe("The entity after the change (null when deleted)"),
}));

export const auditPage = page(auditEntryView);
