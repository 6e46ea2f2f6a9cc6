import { describe, expect, it } from "vitest";
import { startOutgoingLoop } from "../../src/jobs/outgoing-loop.ts";

const wait = async (what: () => boolean) => {
  for (let waited = 0; !what() && waited < 10_000; waited += 5) await new Promise((r) => setTimeout(r, 5));
};

describe("the outgoing loop", () => {
  it("runs each work again and again, never two passes of one work at once, and goes on past a failing one", async () => {
    const passes = { dispatch: 0, send: 0 };
    const active = { dispatch: 0, send: 0 };
    let overlap = false;
    const errors: string[] = [];
    const work = (name: "dispatch" | "send") => async () => {
      if (++active[name] > 1) overlap = true;
      passes[name]++;
      await new Promise((r) => setTimeout(r, 15));
      active[name]--;
    };
    const loop = startOutgoingLoop(5, [
      { name: "dispatch", run: work("dispatch") },
      { name: "broken", run: async () => { throw new Error("endpoint table missing"); } },
      { name: "send", run: work("send") },
    ], { error: (o) => void errors.push((o as { work: string }).work) });
    await wait(() => passes.dispatch >= 3 && passes.send >= 3 && errors.length >= 2);
    await loop.stop();
    expect(overlap).toBe(false);
    expect(new Set(errors)).toEqual(new Set(["broken"]));
    // Stopped: no pass starts any more.
    const after = { ...passes };
    await new Promise((r) => setTimeout(r, 40));
    expect(passes).toEqual(after);
  });

  it("a slow work does not hold up the others", async () => {
    let slowPasses = 0;
    let quickPasses = 0;
    let release!: () => void;
    const stuck = new Promise<void>((r) => (release = r));
    const loop = startOutgoingLoop(5, [
      { name: "webhooks", run: async () => { slowPasses++; await stuck; } },
      { name: "dispatch", run: async () => void quickPasses++ },
    ], { error: () => undefined });
    await wait(() => quickPasses >= 5);
    expect(quickPasses).toBeGreaterThanOrEqual(5);
    expect(slowPasses).toBe(1);
    release();
    await loop.stop();
  });
});
