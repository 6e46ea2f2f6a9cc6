/**
 * One lease per store for due work, so several server processes share stores instead of all doing
 * each one. `expires_at` is database time: hosts' clocks may disagree, the database's is one.
 */
export const sql = `
CREATE TABLE due_work_leases (
  store_id    text PRIMARY KEY REFERENCES stores(id),
  holder      text NOT NULL,
  expires_at  timestamptz NOT NULL
);
`;
