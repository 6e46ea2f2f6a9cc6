/**
 * Each store's secret for member tokens (SPEC §3 Member tokens): HS256 JWTs its backend signs, or
 * Pointbook issues, for the member centre. The secret before a rotation verifies for 24 hours more.
 */
export const sql = `
CREATE TABLE member_token_secrets (
  store_id text PRIMARY KEY REFERENCES stores(id),
  secret text NOT NULL,
  previous text,
  previous_until timestamptz,
  rotated_at timestamptz NOT NULL
);
`;
