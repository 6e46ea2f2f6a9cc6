/**
 * Who the member was when an event was evaluated (member or not, tags: what event rules read of
 * them besides the tier), so a replay evaluates it with the member as they were, not as they are
 * now. Null for events recorded before.
 */
export const sql = `
ALTER TABLE events ADD COLUMN member jsonb;
`;
