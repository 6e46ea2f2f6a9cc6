/**
 * CSV imports (SPEC §6 Imports). An import's row keeps its progress, written in the same
 * transaction as each batch of rows, so a run after a crash reads on from `offset_bytes` and never
 * applies a row twice. Uploads arrive as byte chunks before their import exists (`upload_id` is
 * the import's id once the whole file is in); server processes lease running uploads
 * (`lease_until`, FOR UPDATE SKIP LOCKED). An order recorded by an import keeps its `origin`,
 * which says whether it may earn points, for life.
 */
export const sql = `
CREATE TABLE imports (
  store_id text NOT NULL REFERENCES stores(id),
  id text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('members', 'balances', 'orders')),
  source text NOT NULL CHECK (source IN ('cli', 'upload')),
  award boolean NOT NULL DEFAULT false,
  file_name text,
  sha256 text NOT NULL,
  bytes_total bigint,
  status text NOT NULL CHECK (status IN ('running', 'done', 'failed')),
  total bigint,
  columns jsonb,
  offset_bytes bigint NOT NULL DEFAULT 0,
  line bigint NOT NULL DEFAULT 0,
  processed bigint NOT NULL DEFAULT 0,
  imported bigint NOT NULL DEFAULT 0,
  rejected bigint NOT NULL DEFAULT 0,
  error_count bigint NOT NULL DEFAULT 0,
  batches integer NOT NULL DEFAULT 0,
  failure text,
  actor text NOT NULL,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  finished_at timestamptz,
  lease_holder text,
  lease_until timestamptz,
  PRIMARY KEY (store_id, id)
);

CREATE INDEX imports_file ON imports (store_id, sha256, created_at);
CREATE INDEX imports_waiting ON imports (created_at) WHERE status = 'running' AND source = 'upload';

CREATE TABLE import_errors (
  store_id text NOT NULL,
  import_id text NOT NULL,
  n integer NOT NULL,
  line bigint NOT NULL,
  message text NOT NULL,
  PRIMARY KEY (store_id, import_id, n),
  FOREIGN KEY (store_id, import_id) REFERENCES imports (store_id, id)
);

CREATE TABLE import_rejected_orders (
  store_id text NOT NULL,
  import_id text NOT NULL,
  order_id text NOT NULL,
  PRIMARY KEY (store_id, import_id, order_id),
  FOREIGN KEY (store_id, import_id) REFERENCES imports (store_id, id)
);

CREATE TABLE import_chunks (
  store_id text NOT NULL REFERENCES stores(id),
  upload_id text NOT NULL,
  seq integer NOT NULL,
  start_byte bigint NOT NULL,
  data bytea NOT NULL,
  created_at timestamptz NOT NULL,
  PRIMARY KEY (store_id, upload_id, seq)
);

CREATE INDEX import_chunks_age ON import_chunks (created_at);

ALTER TABLE orders ADD COLUMN origin jsonb;
`;
