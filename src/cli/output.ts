import type { Writable } from "node:stream";

/**
 * Output whose reader went away (a closed pipe, a parent that exited) must not crash the server
 * with an unhandled EPIPE: such writes are dropped.
 */
export function ignoreOutputErrors(): void {
  for (const stream of [process.stdout, process.stderr]) stream.on("error", () => undefined);
}

/**
 * Where log lines go when nobody may be reading: written without blocking, dropped while `limit`
 * bytes already wait (a reader that stopped reading) or once the stream failed (a reader gone).
 * pino's own writer is not used because at exit it flushes synchronously, and on a full pipe that
 * flush never returns: the process would close its port and hang.
 */
export function logDestination(stream: Writable, limit = 1 << 20): { write(line: string): void } {
  let broken = false;
  stream.on("error", () => void (broken = true));
  return {
    write(line) {
      if (broken || stream.destroyed || stream.writableLength > limit) return;
      stream.write(line);
    },
  };
}
