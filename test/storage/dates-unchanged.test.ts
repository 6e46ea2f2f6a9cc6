/**
 * The in-memory adapter stores the Date it is given and hands out the Date it stores (values.ts):
 * sound only while no code changes a Date once made. Every Date setter is refused here, in the
 * server's code, the browser's and the benches', so a change that needs one makes a new Date instead.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const SETTER = /\.set(?:UTC)?(?:FullYear|Year|Month|Date|Hours|Minutes|Seconds|Milliseconds|Time)\s*\(/;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return e.name === "node_modules" ? [] : sources(path);
    return /\.(ts|tsx|mjs|js)$/.test(e.name) ? [path] : [];
  });
}

describe("Dates are never changed", () => {
  it("knows a Date setter when it sees one", () => {
    for (const call of ["d.setTime(0)", "at.setUTCHours(0, 0)", "x.setDate (1)", "lot.expiresAt!.setFullYear(2030)"]) expect(call).toMatch(SETTER);
    for (const call of ["map.set(k, v)", "settle(now)", "setTimeout(f, 1)", "d.getTime()"]) expect(call).not.toMatch(SETTER);
  });

  it("no code under src/, web/ or bench/ calls one", () => {
    const root = join(import.meta.dirname, "..", "..");
    const files = ["src", "web", "bench"].flatMap((dir) => sources(join(root, dir)));
    expect(files.length).toBeGreaterThan(100);
    const found = files.flatMap((file) =>
      readFileSync(file, "utf8").split("\n").flatMap((line, i) => (SETTER.test(line) ? [`${file.slice(root.length + 1)}:${i + 1}: ${line.trim()}`] : [])));
    expect(found).toEqual([]);
  });
});
