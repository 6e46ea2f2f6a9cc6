import Fastify, { type FastifyInstance } from "fastify";
import { createHash } from "node:crypto";
import rateLimit from "@fastify/rate-limit";
import { DomainError } from "../core/errors.ts";
import { registerAuthentication } from "./auth.ts";
import type { HttpContext } from "./context.ts";
import { registerJsonBody } from "./json-body.ts";
import { cachedKeyAuthenticator } from "./key-cache.ts";
import { createMetrics } from "../metrics.ts";
import { eventIntake } from "../services/event-intake.ts";
import { frameworkError, registerErrorHandling } from "./errors.ts";
import { registerOpenApi } from "./openapi.ts";
import { registerAdjustmentRoutes } from "./routes/adjustments.ts";
import { registerAuditRoutes } from "./routes/audit-log.ts";
import { registerClockRoutes } from "./routes/clock.ts";
import { registerEarnRuleRoutes } from "./routes/earn-rules.ts";
import { registerEventRoutes } from "./routes/events.ts";
import { registerEventFeedRoutes } from "./routes/event-feed.ts";
import { registerTierRoutes } from "./routes/tiers.ts";
import { registerProgramDocumentRoutes } from "./routes/program-document.ts";
import { registerOrderRoutes } from "./routes/orders.ts";
import { registerCheckoutRoutes } from "./routes/checkout.ts";
import { registerExportRoutes } from "./routes/exports.ts";
import { registerHealthRoutes } from "./routes/health.ts";
import { registerKeyRoutes } from "./routes/keys.ts";
import { registerMemberRoutes } from "./routes/members.ts";
import { registerNotificationRoutes } from "./routes/notifications.ts";
import { registerProgramRoutes } from "./routes/program.ts";
import { registerRedeemMethodRoutes } from "./routes/redeem-methods.ts";
import { registerRedemptionRoutes } from "./routes/redemptions.ts";
import { registerStoreRoutes } from "./routes/stores.ts";
import { registerWebhookRoutes } from "./routes/webhooks.ts";
import { registerImportRoutes } from "./routes/imports.ts";
import { registerIntegrationRoutes } from "./routes/integrations.ts";
import { registerBackOfficeRoutes } from "./routes/back-office.ts";
import { registerAdminRoutes } from "./routes/admin.ts";
import { registerMemberTokenRoutes } from "./routes/member-tokens.ts";
import { registerMeRoutes } from "./routes/me.ts";
import { registerWidgetRoutes } from "./routes/widget.ts";
import { registerPlatformHooks } from "./routes/hooks.ts";
import { registerSimulationRoutes } from "./routes/simulations.ts";
import { simulationJobs } from "../jobs/simulations.ts";

export interface AppOptions {
  /** Fastify's logger options: a level, and optionally where lines go (a pino destination). */
  logger?: boolean | { level: string; stream?: { write(line: string): unknown } };
}

/** What the app needs from its host; key look-ups and the rate limit have defaults. */
type Defaulted = "keys" | "rateLimitPerSecond" | "metrics" | "events" | "simulations";
export type AppContext = Omit<HttpContext, Defaulted> & Partial<Pick<HttpContext, Defaulted>>;

/** Requests are counted per key (a hash of it, never the key itself), or per address without one. */
function rateKey(request: { headers: { authorization?: string }; ip: string }): string {
  const auth = request.headers.authorization;
  return auth ? createHash("sha256").update(auth).digest("base64url") : `ip:${request.ip}`;
}

export async function buildApp(appCtx: AppContext, options: AppOptions = {}): Promise<FastifyInstance> {
  const ctx: HttpContext = {
    ...appCtx,
    keys: appCtx.keys ?? cachedKeyAuthenticator(appCtx.services),
    rateLimitPerSecond: appCtx.rateLimitPerSecond ?? 1000,
    metrics: appCtx.metrics ?? createMetrics(),
    events: appCtx.events ?? eventIntake(appCtx.services),
    simulations: appCtx.simulations ?? simulationJobs(appCtx.services),
  };
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: 1024 * 1024,
    // Ids in paths may be up to 200 characters, percent-encoded up to 12 bytes each; zod names the
    // field when one is too long, the router only refuses what no id could be.
    routerOptions: { maxParamLength: 4096 },
    frameworkErrors: frameworkError,
  });
  // Requests are validated by the route's own zod schema (field-level problem+json); the JSON
  // schemas given to Fastify only document the API.
  app.setValidatorCompiler(() => () => true);
  registerErrorHandling(app);
  registerJsonBody(app);
  if (ctx.rateLimitPerSecond > 0) {
    await app.register(rateLimit, {
      global: true,
      max: ctx.rateLimitPerSecond,
      timeWindow: 1000,
      keyGenerator: rateKey,
      allowList: (request) => request.routeOptions.config?.role === "none",
      errorResponseBuilder: (_request, context) =>
        new DomainError("rate_limited", `more than ${context.max} requests per second with this key; retry after ${context.after}`, { retryAfterSeconds: Math.ceil(context.ttl / 1000) }),
    });
  }
  registerAuthentication(app, ctx.keys, ctx.operatorToken, ctx.services);
  // Events already received are recorded before the server lets its database close.
  app.addHook("onClose", async () => ctx.events.drain());

  await registerOpenApi(app);

  registerHealthRoutes(app, ctx);
  registerStoreRoutes(app, ctx);
  registerKeyRoutes(app, ctx);
  registerProgramRoutes(app, ctx);
  registerMemberRoutes(app, ctx);
  registerNotificationRoutes(app, ctx);
  registerAdjustmentRoutes(app, ctx);
  registerRedeemMethodRoutes(app, ctx);
  registerRedemptionRoutes(app, ctx);
  registerProgramDocumentRoutes(app, ctx);
  registerEarnRuleRoutes(app, ctx);
  registerEventRoutes(app, ctx);
  registerEventFeedRoutes(app, ctx);
  registerOrderRoutes(app, ctx);
  registerCheckoutRoutes(app, ctx);
  registerExportRoutes(app, ctx);
  registerTierRoutes(app, ctx);
  registerAuditRoutes(app, ctx);
  registerClockRoutes(app, ctx);
  registerWebhookRoutes(app, ctx);
  registerIntegrationRoutes(app, ctx);
  registerBackOfficeRoutes(app, ctx);
  registerAdminRoutes(app);
  registerMemberTokenRoutes(app, ctx);
  await registerMeRoutes(app, ctx);
  registerWidgetRoutes(app);
  registerImportRoutes(app, ctx);
  registerSimulationRoutes(app, ctx);
  await registerPlatformHooks(app, ctx);
  await app.ready();
  return app;
}
