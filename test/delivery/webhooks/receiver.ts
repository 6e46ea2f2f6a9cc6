import http from "node:http";
import type { AddressInfo } from "node:net";
import type { OutgoingEvent } from "../../../src/core/outgoing/events.ts";

export interface Received {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  /** The raw bytes as they arrived, before any parsing. */
  body: Buffer;
}

export interface Receiver {
  port: number;
  url: string;
  received: Received[];
  close(): Promise<void>;
}

type Answer = (req: http.IncomingMessage, res: http.ServerResponse) => void;

/** A local HTTP server on a free loopback port that records every request and answers as told. */
export async function startReceiver(answer: Answer = (_req, res) => res.writeHead(204).end()): Promise<Receiver> {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      received.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body: Buffer.concat(chunks) });
      answer(req, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: `http://127.0.0.1:${port}/hooks`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A port that nothing listens on: bound once, then released. */
export async function closedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export function sampleEvent(overrides: Partial<OutgoingEvent> = {}): OutgoingEvent {
  return {
    id: "evt_0000000001abcdefghijkl",
    type: "member.points_changed",
    storeId: "st_demo",
    memberId: "mem_42",
    occurredAt: "2026-12-01T10:00:00.000Z",
    data: {
      entryId: "ent_1",
      entryType: "award",
      points: 120,
      balance: 1_120,
      pending: 0,
      held: 0,
      // Non-ASCII text: the signature must cover the UTF-8 bytes, not JavaScript string units.
      reason: "Café ☕ 積分 bonus",
      source: { type: "order", ref: "ord_9" },
    },
    ...overrides,
  };
}
