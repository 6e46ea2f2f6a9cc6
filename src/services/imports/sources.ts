import { createReadStream } from "node:fs";
import type { Services } from "../context.ts";

/** A file's bytes from `offset` on, read as they are needed (64 KB at a time). */
export function fileBytes(path: string): (offset: number) => AsyncIterable<Uint8Array> {
  return (offset) => createReadStream(path, { start: offset, highWaterMark: 64 * 1024 });
}

/** An upload's bytes from `offset` on, one stored chunk at a time, each read in a statement of its own. */
export function uploadBytes(services: Services, storeId: string, uploadId: string): (offset: number) => AsyncIterable<Uint8Array> {
  const read = services.tx.read ?? services.tx.run;
  return async function* chunksFrom(offset) {
    let at = offset;
    for (;;) {
      const [chunk] = await read((repos) => repos.imports.chunks(storeId, uploadId, at, 1));
      if (!chunk) return;
      yield chunk.data.subarray(Math.max(0, at - chunk.start));
      at = chunk.start + chunk.data.length;
    }
  };
}
