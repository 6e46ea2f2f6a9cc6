/** The CSV reader: line numbers and checkpoints, whatever the line endings and however the bytes arrive. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { readCsv, type CsvItem } from "../../src/services/imports/csv-reader.ts";

async function read(text: string | Buffer, piece = 1 << 16, start = { offset: 0, line: 0 }): Promise<CsvItem[]> {
  const buf = Buffer.isBuffer(text) ? text : Buffer.from(text);
  async function* bytes() {
    for (let i = start.offset; i < buf.length; i += piece) yield buf.subarray(i, Math.min(buf.length, i + piece));
  }
  const items: CsvItem[] = [];
  for await (const item of readCsv(bytes(), start)) items.push(item);
  return items;
}

const lines = (items: CsvItem[]) => items.map((i) => (i.kind === "record" ? `${i.values[0]}@${i.line}-${i.endLine}` : `${i.kind}@${i.line}`));

describe("reading CSV", () => {
  it.each([["\r\n"], ["\n"], ["\r"]])("numbers lines from the bytes with %j line endings, quoted line breaks and empty lines included", async (nl) => {
    const text = ["\ufeffid,n", "a,1", "\"b\",\"x" , "y\"", "", "c,3", "\"d\",\"p", "q", "r\"", "e,5"].join(nl) + nl;
    expect(lines(await read(text))).toEqual(["id@1-1", "a@2-2", "b@3-4", "c@6-6", "d@7-9", "e@10-10"]);
  });

  it("reads the last row without a line break after it, and reports a quote never closed where its row starts", async () => {
    expect(lines(await read("id,n\na,1\nb,2"))).toEqual(["id@1-1", "a@2-2", "b@3-3"]);
    expect(lines(await read("id,n\na,1\n\nb,\"2\nc,3\n"))).toEqual(["id@1-1", "a@2-2", "bad@4"]);
  });

  it("keeps a stray quote in its cell instead of reading on past the row", async () => {
    const items = await read("id,n\na,\"8\"x\nb,2\n");
    expect(items.map((i) => (i.kind === "record" ? i.values : i))).toEqual([["id", "n"], ["a", "\"8\"x"], ["b", "2"]]);
  });

  it("stops at a row running past 1 MB, after handing out the rows before it", async () => {
    const items = await read(`id,n\na,1\nb,"${"x".repeat(1_100_000)}\nc,3\n`);
    expect(lines(items)).toEqual(["id@1-1", "a@2-2", "fatal@3"]);
  });

  it("gives the same records, lines and checkpoints however the bytes are cut, and from any checkpoint", async () => {
    const cell = fc.oneof(fc.constantFrom("", "x", "a,b", "q\"q", "l1\r\nl2", "l1\nl2", "ü€"), fc.string({ maxLength: 5 }).filter((s) => !/[\r\n"]/.test(s)));
    const quote = (c: string) => (/[,"\r\n]/.test(c) || c === "" ? `"${c.replaceAll("\"", "\"\"")}"` : c);
    await fc.assert(fc.asyncProperty(
      fc.array(fc.tuple(cell, cell), { minLength: 1, maxLength: 12 }), fc.constantFrom("\n", "\r\n"), fc.integer({ min: 1, max: 40 }), fc.nat(),
      async (rows, nl, piece, pick) => {
        const text = `h1,h2${nl}${rows.map((r) => r.map(quote).join(",")).join(nl)}${nl}`;
        const whole = await read(text);
        expect(await read(text, piece)).toEqual(whole);
        const records = whole.filter((i): i is Extract<CsvItem, { kind: "record" }> => i.kind === "record");
        expect(records.map((r) => r.values)).toEqual([["h1", "h2"], ...rows]);
        const from = records[pick % records.length]!;
        expect(await read(text, piece, { offset: from.end, line: from.endLine })).toEqual(whole.slice(whole.indexOf(from) + 1));
      },
    ), { numRuns: 200 });
  });
});
