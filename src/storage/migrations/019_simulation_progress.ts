/**
 * How far a running simulation has got, so the back office can show it while a big store replays
 * for a minute: the share of its replays' inputs replayed, from 0 to 1.
 */
export const sql = `
ALTER TABLE simulations ADD COLUMN progress double precision NOT NULL DEFAULT 0 CHECK (progress >= 0 AND progress <= 1);
`;
