import { describe, expect, it } from "vitest";
import { startOutgoingLoop } from "../../src/jobs/outgoing-loop.ts";

describe("the outgoing loop", () => {
  it("runs every work in order each pass, never two passes at once, and goes on past a failing one", async () => {
    const log: string[] = [];
    const errors: string[] = [];
    let active = 0;
    let maxActive = 0;
    const slow = async (name: string) => {
      active++;
      maxActive = Math.max(maxActive, active);
      log.push(name);
      await new Promise((r) => setTimeout(r, 15));
      active--;
    };
    const loop = startOutgoingLoop(5, [
      { name: "dispatch", run: () => slow("dispatch") },
      { name: "broken", run: async () => { throw new Error("endpoint table missing"); } },
      { name: "send", run: () => slow("send") },
    ], { error: (o) => void errors.push((o as { work: string }).work) });
    for (let waited = 0; log.length < 4 && waited < 10_000; waited += 10) await new Promise((r) => setTimeout(r, 10));
    await loop.stop();
    const passes = log.length;
    expect(passes).toBeGreaterThanOrEqual(4);
    expect(log.slice(0, 4)).toEqual(["dispatch", "send", "dispatch", "send"]);
    expect(maxActive).toBe(1);
    expect(errors.length).toBeGreaterThanOrEqual(2);
    expect(new Set(errors)).toEqual(new Set(["broken"]));
    // Stopped: no pass starts any more.
    await new Promise((r) => setTimeout(r, 40));
    expect(log.length).toBe(passes);
  });
});
