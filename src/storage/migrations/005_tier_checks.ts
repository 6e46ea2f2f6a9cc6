/** When a store's tiers were last re-checked, so windows that roll on can demote members once a day. */
export const sql = `
ALTER TABLE stores ADD COLUMN tiers_checked_at timestamptz;
`;
