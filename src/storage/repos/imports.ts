import type { ImportKind } from "../../core/imports/kinds.ts";
import type { ImportRecord, ImportRepository, ImportSource, ImportStatus, OrderSighting, UploadChunk } from "../../core/ports/imports.ts";
import { json, type Sql, write } from "../sql.ts";

interface ImportRow {
  id: string; kind: ImportKind; source: ImportSource; award: boolean; file_name: string | null; sha256: string;
  bytes_total: number | null; status: ImportStatus; total: number | null; columns: string[] | null;
  offset_bytes: number; line: number; processed: number; imported: number; rejected: number; error_count: number; batches: number;
  failure: string | null; actor: string; created_at: Date; updated_at: Date; finished_at: Date | null;
  lease_holder: string | null; lease_until: Date | null;
}

const toImport = (r: ImportRow): ImportRecord => ({
  id: r.id, kind: r.kind, source: r.source, award: r.award, fileName: r.file_name, sha256: r.sha256, bytesTotal: r.bytes_total,
  status: r.status, total: r.total, columns: r.columns,
  progress: { offset: r.offset_bytes, line: r.line, processed: r.processed, imported: r.imported, rejected: r.rejected, errors: r.error_count, batches: r.batches },
  failure: r.failure, actor: r.actor, createdAt: r.created_at, updatedAt: r.updated_at, finishedAt: r.finished_at,
  lease: r.lease_holder !== null && r.lease_until !== null ? { holder: r.lease_holder, until: r.lease_until } : null,
});

/** The tables each kind of import fills. */
const GROWN: Record<ImportKind, string[]> = {
  members: ["members"],
  balances: ["members", "lots", "entries", "outbox"],
  orders: ["orders", "order_awards", "members", "lots", "entries", "outbox"],
};

/** bytea comes back as a Buffer (pg) or a Uint8Array (PGlite); both are views on the bytes. */
const bytes = (v: Uint8Array): Uint8Array => (v instanceof Uint8Array ? v : new Uint8Array(v));

export function importRepository(sql: Sql): ImportRepository {
  return {
    async insert(storeId, r) {
      await write(sql,
        `INSERT INTO imports (store_id, id, kind, source, award, file_name, sha256, bytes_total, status, total, columns,
           offset_bytes, line, processed, imported, rejected, error_count, batches, failure, actor, created_at, updated_at, finished_at,
           lease_holder, lease_until)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::jsonb, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25)`,
        [storeId, r.id, r.kind, r.source, r.award, r.fileName, r.sha256, r.bytesTotal, r.status, r.total, json(r.columns),
          r.progress.offset, r.progress.line, r.progress.processed, r.progress.imported, r.progress.rejected, r.progress.errors,
          r.progress.batches, r.failure, r.actor, r.createdAt, r.updatedAt, r.finishedAt, r.lease?.holder ?? null, r.lease?.until ?? null]);
    },
    async get(storeId, id, lock = false) {
      const [row] = await sql.query<ImportRow>(`SELECT * FROM imports WHERE store_id = $1 AND id = $2${lock ? " FOR UPDATE" : ""}`, [storeId, id]);
      return row ? toImport(row) : null;
    },
    async startBatch() {
      // The estimates of a batch's statements pass jit_above_cost; compiling them costs ~300 ms, running them ~10.
      await sql.query("SET LOCAL jit = off");
    },
    async latestOfFile(storeId, kind, award, sha256) {
      const [row] = await sql.query<ImportRow>(
        `SELECT * FROM imports WHERE store_id = $1 AND sha256 = $4 AND kind = $2 AND award = $3 ORDER BY created_at DESC, id DESC LIMIT 1`,
        [storeId, kind, award, sha256]);
      return row ? toImport(row) : null;
    },
    async list(storeId, limit, cursor) {
      const rows = await sql.query<ImportRow>(
        `SELECT * FROM imports WHERE store_id = $1 AND ($2::text IS NULL OR id < $2) ORDER BY id DESC LIMIT $3`, [storeId, cursor, limit + 1]);
      const data = rows.slice(0, limit).map(toImport);
      return { data, nextCursor: rows.length > limit ? data[data.length - 1]!.id : null };
    },
    async update(storeId, r, errors) {
      await write(sql,
        `UPDATE imports SET status = $3, total = $4, columns = $5::jsonb, offset_bytes = $6, line = $7, processed = $8, imported = $9,
           rejected = $10, error_count = $11, batches = $12, failure = $13, updated_at = $14, finished_at = $15, lease_holder = $16,
           lease_until = $17
         WHERE store_id = $1 AND id = $2`,
        [storeId, r.id, r.status, r.total, json(r.columns), r.progress.offset, r.progress.line, r.progress.processed, r.progress.imported,
          r.progress.rejected, r.progress.errors, r.progress.batches, r.failure, r.updatedAt, r.finishedAt, r.lease?.holder ?? null,
          r.lease?.until ?? null]);
      if (errors.rows.length === 0) return;
      await write(sql,
        `INSERT INTO import_errors (store_id, import_id, n, line, message)
         SELECT $1, $2, $3 + x.i - 1, x.line, x.message
         FROM ROWS FROM (jsonb_to_recordset($4::jsonb) AS (line bigint, message text)) WITH ORDINALITY AS x(line, message, i)`,
        [storeId, r.id, errors.firstError, json(errors.rows)]);
    },
    async errors(storeId, id, limit) {
      return sql.query<{ line: number; message: string }>(
        "SELECT line, message FROM import_errors WHERE store_id = $1 AND import_id = $2 ORDER BY n LIMIT $3", [storeId, id, limit]);
    },

    async orderSightings(storeId, importId, orderIds) {
      const found = new Map<string, OrderSighting>();
      if (orderIds.length === 0) return found;
      const rows = await sql.query<{ id: string; sighting: OrderSighting }>(
        `SELECT o.id, CASE WHEN o.origin ->> 'importId' = $2 THEN 'imported_here' ELSE 'exists' END AS sighting
           FROM orders o WHERE o.store_id = $1 AND o.id = ANY($3::text[])
         UNION ALL
         SELECT r.order_id, 'rejected_here' FROM import_rejected_orders r
           WHERE r.store_id = $1 AND r.import_id = $2 AND r.order_id = ANY($3::text[])`,
        [storeId, importId, [...orderIds]]);
      // An order the store has counts first: it was recorded, whatever was refused of it later.
      for (const r of rows) if (!found.has(r.id) || r.sighting !== "rejected_here") found.set(r.id, r.sighting);
      return found;
    },
    async rejectOrders(storeId, importId, orderIds) {
      if (orderIds.length === 0) return;
      await write(sql,
        `INSERT INTO import_rejected_orders (store_id, import_id, order_id) SELECT $1, $2, unnest($3::text[]) ON CONFLICT DO NOTHING`,
        [storeId, importId, [...orderIds]]);
    },

    async tablesGrown(kind) {
      await sql.query(`ANALYZE ${GROWN[kind].join(", ")}`);
    },

    async addChunk(storeId, uploadId, chunk, at) {
      await sql.query(
        "INSERT INTO import_chunks (store_id, upload_id, seq, start_byte, data, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
        [storeId, uploadId, chunk.seq, chunk.start, chunk.data, at]);
    },
    async chunks(storeId, uploadId, from, limit) {
      const rows = await sql.query<{ seq: number; start_byte: number; data: Uint8Array }>(
        `SELECT seq, start_byte, data FROM import_chunks
         WHERE store_id = $1 AND upload_id = $2 AND start_byte + octet_length(data) > $3 ORDER BY seq LIMIT $4`,
        [storeId, uploadId, from, limit]);
      return rows.map((r): UploadChunk => ({ seq: r.seq, start: r.start_byte, data: bytes(r.data) }));
    },
    async dropChunks(storeId, uploadId) {
      await write(sql, "DELETE FROM import_chunks WHERE store_id = $1 AND upload_id = $2", [storeId, uploadId]);
    },
    async sweepChunks(before, limit) {
      const rows = await sql.query<{ seq: number }>(
        `DELETE FROM import_chunks c USING (
           SELECT store_id, upload_id, seq FROM import_chunks k
           WHERE k.created_at < $1 AND NOT EXISTS (
             SELECT 1 FROM imports i WHERE i.store_id = k.store_id AND i.id = k.upload_id AND i.status = 'running')
           LIMIT $2) old
         WHERE c.store_id = old.store_id AND c.upload_id = old.upload_id AND c.seq = old.seq RETURNING c.seq`,
        [before, limit]);
      return rows.length;
    },

    async claim(now, holder, until, storeId) {
      const [row] = await sql.query<ImportRow & { store_id: string }>(
        `UPDATE imports i SET lease_holder = $2, lease_until = $3
         FROM (SELECT store_id, id FROM imports
               WHERE status = 'running' AND source = 'upload' AND (lease_until IS NULL OR lease_until <= $1)
                 AND ($4::text IS NULL OR store_id = $4)
               ORDER BY created_at, id LIMIT 1 FOR UPDATE SKIP LOCKED) due
         WHERE i.store_id = due.store_id AND i.id = due.id
         RETURNING i.*`,
        [now, holder, until, storeId ?? null]);
      return row ? { storeId: row.store_id, record: toImport(row) } : null;
    },
  };
}
