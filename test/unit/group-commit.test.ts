import { describe, expect, it } from "vitest";
import { groupCommit } from "../../src/services/group-commit.ts";

const tick = () => new Promise((r) => setTimeout(r, 0));

describe("group commit", () => {
  it("runs a lone command at once, and coalesces commands that arrive while a batch is in flight", async () => {
    const batches: number[][] = [];
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    const gc = groupCommit<number, string>({
      maxBatch: 3, maxInFlight: 1,
      async runBatch(_key, items) {
        batches.push(items);
        if (batches.length === 1) await gate;
        return items.map((i) => `r${i}`);
      },
    });
    const first = gc.submit("k", 1);
    await tick();
    expect(batches).toEqual([[1]]);
    const rest = [2, 3, 4, 5, 6, 7].map((i) => gc.submit("k", i));
    await tick();
    expect(batches).toEqual([[1]]);
    expect(gc.pending()).toBe(7);
    release();
    expect(await Promise.all([first, ...rest])).toEqual(["r1", "r2", "r3", "r4", "r5", "r6", "r7"]);
    expect(batches).toEqual([[1], [2, 3, 4], [5, 6, 7]]);
    expect(gc.pending()).toBe(0);
  });

  it("keeps keys apart: another key's commands never join the batch", async () => {
    const batches: string[][] = [];
    const gc = groupCommit<string, string>({
      maxBatch: 10, maxInFlight: 1,
      async runBatch(key, items) {
        batches.push(items.map((i) => `${key}:${i}`));
        await tick();
        return items;
      },
    });
    await Promise.all([gc.submit("a", "1"), gc.submit("b", "1"), gc.submit("a", "2"), gc.submit("b", "2"), gc.submit("a", "3")]);
    expect(batches).toEqual([["a:1"], ["b:1"], ["a:2", "a:3"], ["b:2"]]);
  });

  it("runs a failed batch again one command at a time, so only the bad command fails", async () => {
    const runs: number[][] = [];
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    const gc = groupCommit<number, number>({
      maxBatch: 10, maxInFlight: 1,
      async runBatch(_key, items) {
        runs.push(items);
        if (runs.length === 1) await gate;
        if (items.includes(13)) throw new Error("unlucky");
        return items.map((i) => i * 2);
      },
    });
    const blocker = gc.submit("k", 0);
    const results = [12, 13, 14].map((i) => gc.submit("k", i).then((v) => ({ ok: v }), (e: Error) => ({ error: e.message })));
    release();
    await blocker;
    expect(await Promise.all(results)).toEqual([{ ok: 24 }, { error: "unlucky" }, { ok: 28 }]);
    expect(runs).toEqual([[0], [12, 13, 14], [12], [13], [14]]);
  });

  it("drain waits for every submitted command to have its result", async () => {
    const done: number[] = [];
    const gc = groupCommit<number, number>({
      maxBatch: 2, maxInFlight: 1,
      async runBatch(_key, items) {
        await new Promise((r) => setTimeout(r, 5));
        done.push(...items);
        return items;
      },
    });
    await gc.drain();
    for (const i of [1, 2, 3, 4, 5]) void gc.submit("k", i);
    await gc.drain();
    expect(done).toEqual([1, 2, 3, 4, 5]);
    expect(gc.pending()).toBe(0);
  });
});
