/** The back office finds members by the start of their email as well as of their id (the primary key). */
export const sql = `
CREATE INDEX members_email_search ON members (store_id, lower(email) text_pattern_ops);
CREATE INDEX members_phone_search ON members (store_id, phone text_pattern_ops);
`;
