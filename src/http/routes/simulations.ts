import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { programDocumentSchema } from "../../core/program/document.ts";
import { applyProposal, proposePrograms } from "../../services/simulation/assistant.ts";
import { createSimulation, getSimulation, listSimulations, simulationOut } from "../../services/simulation/simulations.ts";
import { callerOf } from "../auth.ts";
import type { HttpContext } from "../context.ts";
import { json, pageQuery, route } from "../openapi.ts";
import { proposalAppliedView, proposalsView, simulationPage, simulationStartedView, simulationView } from "../responses/simulations.ts";
import { idParam } from "../schemas.ts";
import { parse } from "../validation.ts";
import { write } from "../write.ts";

const TAGS = ["simulator"];
const date = z.string().min(1).max(40).describe("A date (YYYY-MM-DD, in the store's time zone) or an ISO 8601 instant");
const rate = z.number().min(0).max(1);

const simulationBody = z.object({
  candidate: programDocumentSchema.describe("The program to compare with the current one: a whole program document (GET /v1/program/export), in force from `from`"),
  from: date,
  to: date.describe("The last day replayed (at most the store's today)"),
  redemptionRate: rate.optional().describe("The share of points expected to be redeemed; the store's observed rate when left out"),
}).strict();

const proposalBody = z.object({
  targetCostShare: z.number().gt(0).max(1).describe("The cost of points as a share of revenue to aim for (0.02 = 2 %)"),
  from: date.optional().describe("Default: twelve months before `to`"),
  to: date.optional().describe("Default: the store's today"),
}).strict();

/** The simulator and the assistant (SPEC §8); admin only. */
export function registerSimulationRoutes(app: FastifyInstance, ctx: HttpContext): void {
  app.post("/v1/simulations", { bodyLimit: 8 * 1024 * 1024, ...route({
    operationId: "createSimulation", summary: "Replay the store's history through a candidate program, beside the current one; runs in the background → 202 {id}",
    tags: TAGS, role: "admin", body: simulationBody, idempotent: true,
    responses: { 202: json("Accepted: poll GET /v1/simulations/{id}", simulationStartedView) },
  }) }, async (request, reply) => {
    const caller = callerOf(request);
    const body = parse(simulationBody, request.body);
    let started: string | null = null;
    const sent = await write(request, reply, ctx.services, {
      storeId: caller.storeId, status: 202,
      run: async (repos) => {
        const created = await createSimulation(repos, ctx.services, caller.storeId, body, caller.actor);
        started = created.id;
        return created;
      },
    });
    // Run once the simulation is committed (a replayed request started nothing new).
    if (started !== null) ctx.simulations.launch(caller.storeId, started);
    return sent;
  });

  app.get("/v1/simulations", { ...route({
    operationId: "listSimulations", summary: "Simulations run for the store, newest first", tags: TAGS, role: "admin", querystring: pageQuery,
    responses: { 200: json("A page of simulations (their figures: GET /v1/simulations/{id})", simulationPage) },
  }) }, async (request) => {
    const caller = callerOf(request);
    const q = parse(pageQuery, request.query);
    return listSimulations(ctx.services, caller.storeId, q.limit, q.cursor ?? null);
  });

  app.get("/v1/simulations/:id", { ...route({
    operationId: "getSimulation", summary: "A simulation: running, failed, or done with both programs' figures month by month", tags: TAGS, role: "admin", params: idParam,
    responses: { 200: json("The simulation", simulationView) }, errors: { 404: "No such simulation in this store" },
  }) }, async (request) => {
    const caller = callerOf(request);
    const { id } = parse(idParam, request.params);
    return simulationOut(await getSimulation(ctx.services, caller.storeId, id));
  });

  app.post("/v1/assistant/proposals", { ...route({
    operationId: "proposePrograms", summary: "Programs proposed toward a target cost share, each explained and simulated against the current one (a simulation still running after a while comes back running: follow it at GET /v1/simulations/{id})",
    tags: TAGS, role: "admin", body: proposalBody,
    responses: { 201: json("The proposals (apply one with POST /v1/assistant/proposals/{id}/apply)", proposalsView) },
  }) }, async (request, reply) => {
    const caller = callerOf(request);
    const body = parse(proposalBody, request.body);
    const proposals = await proposePrograms(ctx.services, caller.storeId, body, caller.actor, ctx.simulations, ctx.assistantWaitMs);
    return reply.code(201).send({ proposals });
  });

  app.post("/v1/assistant/proposals/:id/apply", { ...route({
    operationId: "applyProposal", summary: "Replace the program with a proposal (audited); once every seven days", tags: TAGS, role: "admin", params: idParam, idempotent: true,
    responses: { 200: json("Applied: what changed", proposalAppliedView) },
    errors: { 404: "No such proposal in this store", 409: "Applied less than seven days after the last apply (`assistant_cooldown`, with `retryAfter` seconds and `availableAt`)" },
  }) }, async (request, reply) => {
    const caller = callerOf(request);
    const { id } = parse(idParam, request.params);
    return write(request, reply, ctx.services, { storeId: caller.storeId, status: 200, run: (repos) => applyProposal(repos, ctx.services, caller.storeId, id, caller.actor) });
  });
}
