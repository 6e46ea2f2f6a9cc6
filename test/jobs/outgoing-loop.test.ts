import { describe, expect, it } from "vitest";
import { startOutgoingLoop } from "../../src/jobs/outgoing-loop.ts";

const wait = async (what: () => boolean) => {
  for (let waited = 0; !what() && waited < 10_000; waited += 5) await new Promise((r) => setTimeout(r, 5));
};

describe("the outgoing loop", () => {
  it("sends right after each hand-on, never two passes of one work at once, and goes on past a failing one", async () => {
    const order: string[] = [];
    const active = new Map<string, number>();
    let overlap = false;
    const errors: string[] = [];
    const work = (name: string) => async () => {
      const n = (active.get(name) ?? 0) + 1;
      active.set(name, n);
      if (n > 1) overlap = true;
      order.push(name);
      await new Promise((r) => setTimeout(r, 10));
      active.set(name, n - 1);
    };
    const loop = startOutgoingLoop(5, {
      handOn: { name: "dispatch", run: work("dispatch") },
      senders: [
        { name: "broken", run: async () => { throw new Error("endpoint table missing"); } },
        { name: "send", run: work("send") },
      ],
    }, { error: (o) => void errors.push((o as { work: string }).work) });
    await wait(() => order.filter((w) => w === "send").length >= 3 && errors.length >= 2);
    await loop.stop();
    expect(overlap).toBe(false);
    // Every send pass starts after a hand-on pass has finished.
    expect(order[0]).toBe("dispatch");
    expect(order.indexOf("send")).toBeGreaterThan(order.indexOf("dispatch"));
    expect(new Set(errors)).toEqual(new Set(["broken"]));
    // Stopped: no pass starts any more.
    const passes = order.length;
    await new Promise((r) => setTimeout(r, 40));
    expect(order.length).toBe(passes);
  });

  it("a slow sender holds up neither hand-on nor the other senders", async () => {
    let slowPasses = 0;
    let handOns = 0;
    let quickSends = 0;
    let release!: () => void;
    const stuck = new Promise<void>((r) => (release = r));
    const loop = startOutgoingLoop(5, {
      handOn: { name: "dispatch", run: async () => void handOns++ },
      senders: [
        { name: "webhooks", run: async () => { slowPasses++; await stuck; } },
        { name: "notifications", run: async () => void quickSends++ },
      ],
    }, { error: () => undefined });
    await wait(() => handOns >= 5 && quickSends >= 5);
    expect([handOns >= 5, quickSends >= 5, slowPasses]).toEqual([true, true, 1]);
    release();
    await loop.stop();
  });
});
