/**
 * A number every change to a store's earn rules or tiers raises, so a server can keep the
 * program in memory and check it with the store row it reads anyway.
 */
export const sql = `
ALTER TABLE stores ADD COLUMN program_version bigint NOT NULL DEFAULT 0;
`;
