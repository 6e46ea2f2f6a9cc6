import type { ImportRecord, ImportRepository, OrderSighting, UploadChunk } from "../../core/ports/imports.ts";
import { uniqueViolation } from "./errors.ts";
import { peek } from "./state.ts";
import { requireStoreRow, tenantFor } from "./tables.ts";
import type { MemoryTx } from "./transaction.ts";
import { compareText, firstN, integer, page, timestamp } from "./values.ts";

/** A stored record and the copy handed out: neither shares an array or an object with the caller (Dates are shared: values.ts). */
function copy(r: ImportRecord): ImportRecord {
  return {
    ...r, columns: r.columns ? [...r.columns] : null, progress: { ...r.progress },
    createdAt: r.createdAt, updatedAt: r.updatedAt, finishedAt: r.finishedAt,
    lease: r.lease ? { holder: r.lease.holder, until: r.lease.until } : null,
  };
}

function checked(r: ImportRecord): ImportRecord {
  for (const [column, value] of Object.entries(r.progress)) integer(value, column);
  timestamp(r.createdAt, "created_at");
  timestamp(r.updatedAt, "updated_at");
  return copy(r);
}

const key = (a: string, b: string | number) => `${a}\u0000${b}`;

/** Transactions run one at a time here, so a claim never meets another claimant; the lease still decides. */
export function importRepository(tx: MemoryTx): ImportRepository {
  return {
    async insert(storeId, r) {
      requireStoreRow(tx, storeId, "imports");
      const t = tenantFor(tx, storeId).imports;
      if (t.records.has(r.id)) throw uniqueViolation("imports", `id=${r.id}`);
      tx.put(t.records, r.id, checked(r));
    },
    async get(storeId, id) {
      const row = peek(tx.state, storeId).imports.records.get(id);
      return row ? copy(row) : null;
    },
    async startBatch() {
      // Nothing is compiled here.
    },
    async latestOfFile(storeId, kind, award, sha256) {
      const [row] = firstN(peek(tx.state, storeId).imports.records.values(),
        (r) => r.kind === kind && r.award === award && r.sha256 === sha256,
        (a, b) => b.createdAt.getTime() - a.createdAt.getTime() || compareText(b.id, a.id), 1);
      return row ? copy(row) : null;
    },
    async list(storeId, limit, cursor) {
      const rows = firstN(peek(tx.state, storeId).imports.records.values(), (r) => cursor === null || compareText(r.id, cursor) < 0,
        (a, b) => compareText(b.id, a.id), limit + 1);
      return page(rows, limit, copy, (r) => r.id);
    },
    async update(storeId, r, errors) {
      const t = peek(tx.state, storeId).imports;
      if (!t.records.has(r.id)) return;
      tx.put(t.records, r.id, checked(r));
      errors.rows.forEach((e, i) => {
        const n = errors.firstError + i;
        if (t.errors.has(key(r.id, n))) throw uniqueViolation("import_errors", `n=${n}`);
        tx.put(t.errors, key(r.id, n), { importId: r.id, n, line: integer(e.line, "line"), message: e.message });
      });
    },
    async errors(storeId, id, limit) {
      return firstN(peek(tx.state, storeId).imports.errors.values(), (e) => e.importId === id, (a, b) => a.n - b.n, limit)
        .map((e) => ({ line: e.line, message: e.message }));
    },

    async orderSightings(storeId, importId, orderIds) {
      const t = peek(tx.state, storeId);
      const found = new Map<string, OrderSighting>();
      for (const id of orderIds) {
        const order = t.orders.get(id);
        if (order) found.set(id, order.origin?.importId === importId ? "imported_here" : "exists");
        else if (t.imports.rejectedOrders.has(key(importId, id))) found.set(id, "rejected_here");
      }
      return found;
    },
    async rejectOrders(storeId, importId, orderIds) {
      const t = tenantFor(tx, storeId).imports;
      for (const orderId of orderIds) tx.put(t.rejectedOrders, key(importId, orderId), { importId, orderId });
    },

    async tablesGrown() {
      // No planner here: maps find rows by key whatever their size.
    },

    async addChunk(storeId, uploadId, chunk, at) {
      requireStoreRow(tx, storeId, "import_chunks");
      const t = tenantFor(tx, storeId).imports;
      if (t.chunks.has(key(uploadId, chunk.seq))) throw uniqueViolation("import_chunks", `seq=${chunk.seq}`);
      tx.put(t.chunks, key(uploadId, chunk.seq), { uploadId, seq: chunk.seq, start: chunk.start, data: new Uint8Array(chunk.data), createdAt: timestamp(at, "created_at") });
    },
    async chunks(storeId, uploadId, from, limit) {
      return firstN(peek(tx.state, storeId).imports.chunks.values(), (c) => c.uploadId === uploadId && c.start + c.data.length > from,
        (a, b) => a.seq - b.seq, limit).map((c): UploadChunk => ({ seq: c.seq, start: c.start, data: new Uint8Array(c.data) }));
    },
    async dropChunks(storeId, uploadId) {
      const t = peek(tx.state, storeId).imports;
      for (const [k, c] of t.chunks) if (c.uploadId === uploadId) tx.delete(t.chunks, k);
    },
    async sweepChunks(before, limit) {
      let swept = 0;
      for (const tenant of tx.state.tenants.values()) {
        const t = tenant.imports;
        for (const [k, c] of t.chunks) {
          if (swept >= limit) return swept;
          if (c.createdAt.getTime() >= before.getTime() || t.records.get(c.uploadId)?.status === "running") continue;
          tx.delete(t.chunks, k);
          swept++;
        }
      }
      return swept;
    },

    async claim(now, holder, until, only) {
      let due: { storeId: string; row: ImportRecord } | null = null;
      for (const [storeId, tenant] of tx.state.tenants) {
        if (only !== undefined && storeId !== only) continue;
        for (const row of tenant.imports.records.values()) {
          if (row.status !== "running" || row.source !== "upload") continue;
          if (row.lease !== null && row.lease.until.getTime() > now.getTime()) continue;
          if (!due || row.createdAt.getTime() - due.row.createdAt.getTime() < 0 || (row.createdAt.getTime() === due.row.createdAt.getTime() && compareText(row.id, due.row.id) < 0)) {
            due = { storeId, row };
          }
        }
      }
      if (!due) return null;
      const leased = { ...due.row, lease: { holder, until: timestamp(until, "lease_until") } };
      tx.put(tenantFor(tx, due.storeId).imports.records, leased.id, leased);
      return { storeId: due.storeId, record: copy(leased) };
    },
  };
}
