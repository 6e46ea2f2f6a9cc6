import { deserialize, serialize } from "node:v8";
import { LoggedOrder, type HistoryOrder, type HistoryOrderUpdate, type StoreHistory } from "../core/simulation/history.ts";
import type { HistoryPart } from "../services/simulation/parts.ts";

/**
 * A part's order updates as columns, in the order of its orders and of each order's updates:
 * each column one value (a typed array) or one string (the values joined, with their lengths)
 * for all of them. Sent so, a year's 410 000 updates cross as a few large values, where sent as
 * an object each (a Date and three strings) they took most of the time of serialising a part and
 * of reading it back.
 */
interface UpdateColumns {
  /** How many updates each order has. */
  counts: Uint32Array;
  at: Float64Array;
  walls: string;
  wallLengths: Uint32Array;
  /** The members joined; a length of NO_MEMBER for an update without one. */
  members: string;
  memberLengths: Uint32Array;
  /** The bodies are not in the columns: they follow them in the part's bytes (packPart). */
  bodyLengths: Uint32Array;
}

const NO_MEMBER = 0xffffffff;

/** An order as sent: without its updates (in the columns) and, when it has updates, without its document (null). */
type SentOrder = Omit<HistoryOrder, "order"> & { order: HistoryOrder["order"] | null };

/** The part as sent: its orders as SentOrder, their updates in the columns. */
export interface PackedPart {
  part: Omit<HistoryPart, "history"> & { history: Omit<StoreHistory, "orders"> & { orders: SentOrder[] } };
  updates: UpdateColumns;
}

/**
 * A part of a store as it crosses to a replay worker: bytes in memory the workers share, written
 * once. Its order updates go as columns (above), serialised, then the updates' bodies as UTF-8:
 * the bulk of a part (a year's are hundreds of megabytes) written straight into the shared memory,
 * not serialised and then copied there. An order with logged updates is sent without its
 * document, which is its last update's (LoggedOrder), already there as text: the worker makes it
 * only if something reads it (a redemption's cart, for a candidate, before the order is in the
 * replay).
 *
 * Bytes: the serialised columns' length (4 bytes, little-endian), the serialised columns, the bodies.
 */
export function packPart(part: HistoryPart): SharedArrayBuffer {
  const source = part.history.orders;
  let total = 0;
  for (const o of source) total += o.updates.length;
  const counts = new Uint32Array(source.length);
  const at = new Float64Array(total);
  const wallLengths = new Uint32Array(total);
  const memberLengths = new Uint32Array(total);
  const bodyLengths = new Uint32Array(total);
  const walls: string[] = [];
  const members: string[] = [];
  const bodies: string[] = [];
  let i = 0;
  const orders = source.map((o, k): SentOrder => {
    counts[k] = o.updates.length;
    for (const u of o.updates) {
      at[i] = u.at.getTime();
      walls.push(u.wall);
      wallLengths[i] = u.wall.length;
      if (u.memberId === null) memberLengths[i] = NO_MEMBER;
      else {
        members.push(u.memberId);
        memberLengths[i] = u.memberId.length;
      }
      bodies.push(u.body);
      bodyLengths[i] = u.body.length;
      i++;
    }
    // Its row alone for an order with updates (its document is theirs: reading it would make it).
    if (o.updates.length > 0) return { id: o.id, eligibility: o.eligibility, origin: o.origin, createdAt: o.createdAt, updatedAt: o.updatedAt, order: null, moments: [], updates: [] };
    return { ...o, updates: [] };
  });
  const updates: UpdateColumns = { counts, at, walls: walls.join(""), wallLengths, members: members.join(""), memberLengths, bodyLengths };
  const packed: PackedPart = { part: { ...part, history: { ...part.history, orders } }, updates };
  const head = serialize(packed);
  const text = bodies.join("");
  const shared = new SharedArrayBuffer(4 + head.length + Buffer.byteLength(text, "utf8"));
  const bytes = Buffer.from(shared);
  bytes.writeUInt32LE(head.length, 0);
  head.copy(bytes, 4);
  bytes.write(text, 4 + head.length, "utf8");
  return shared;
}

/** What `packPart` wrote: the part and its columns, and the updates' bodies joined. */
export function readPacked(shared: SharedArrayBuffer): { packed: PackedPart; bodies: string } {
  const bytes = Buffer.from(shared);
  const headEnd = 4 + bytes.readUInt32LE(0);
  return { packed: deserialize(bytes.subarray(4, headEnd)) as PackedPart, bodies: bytes.toString("utf8", headEnd) };
}

/** A part as `packPart` sent it: each order's updates made again from the columns, its document from its last update when first read (LoggedOrder). */
export function unpackPart(shared: SharedArrayBuffer): HistoryPart {
  const { packed: { part, updates: c }, bodies } = readPacked(shared);
  let i = 0;
  let wall = 0;
  let member = 0;
  let body = 0;
  const orders = part.history.orders.map((o, k): HistoryOrder => {
    const n = c.counts[k]!;
    if (n === 0) return { ...o, order: o.order! }; // sent with its document
    const updates: HistoryOrderUpdate[] = new Array(n);
    for (let j = 0; j < n; j++, i++) {
      const memberLength = c.memberLengths[i]!;
      let memberId: string | null = null;
      if (memberLength !== NO_MEMBER) {
        memberId = c.members.slice(member, member + memberLength);
        member += memberLength;
      }
      updates[j] = {
        at: new Date(c.at[i]!),
        wall: c.walls.slice(wall, (wall += c.wallLengths[i]!)),
        memberId,
        body: bodies.slice(body, (body += c.bodyLengths[i]!)),
      };
    }
    return new LoggedOrder(o, updates);
  });
  return { ...part, history: { ...part.history, orders } };
}
