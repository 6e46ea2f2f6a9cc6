import { applyProgramPatch, type ProgramPatch, type ProgramSettings } from "../core/program/settings.ts";
import { notFound } from "../core/errors.ts";
import { recordChange } from "./audit.ts";
import { requireStore, type Actor, type Services } from "./context.ts";

export async function getProgram(services: Services, storeId: string): Promise<ProgramSettings> {
  return services.tx.run(async (repos) => (await requireStore(repos, storeId)).program);
}

export async function patchProgram(services: Services, storeId: string, patch: ProgramPatch, actor: Actor): Promise<ProgramSettings> {
  return services.tx.run(async (repos) => {
    const store = await repos.stores.lock(storeId);
    if (!store) throw notFound("store");
    const program = applyProgramPatch(store.program, patch);
    await repos.stores.update({ ...store, program });
    await recordChange(repos, storeId, actor, {
      action: "program.updated", entityType: "program", entityId: storeId, before: store.program, after: program,
    }, services.clock.now());
    return program;
  });
}
