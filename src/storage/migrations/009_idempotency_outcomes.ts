/**
 * Idempotency records keep what a command ended in — its value, or the refusal's code, message
 * and details — instead of an HTTP status and body: the platform receivers, the CLI and the
 * batcher replay them too, and each caller answers in its own terms. Rows written before are
 * converted in place (a 4xx body was a problem+json document).
 */
export const sql = `
UPDATE idempotency SET response = CASE
    WHEN status_code < 400 THEN jsonb_build_object('ok', true, 'value', response)
    ELSE jsonb_build_object('ok', false, 'error', jsonb_build_object(
      'code', response->>'code',
      'message', response->>'detail',
      'details', response - 'type' - 'title' - 'status' - 'detail' - 'code'))
  END
  WHERE status_code IS NOT NULL;
ALTER TABLE idempotency DROP COLUMN status_code;
`;
