import type { Services } from "../services/context.ts";

export interface HttpContext {
  services: Services;
  operatorToken: string;
  /** Checks that the database answers (readiness). */
  ping: () => Promise<void>;
}
