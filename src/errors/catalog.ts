/**
 * The error-code catalog: every error Steward returns to a client has a stable code from this table.
 * `docs/errors.md` is generated from it. Codes are part of the API contract — add, never rename.
 */
export const errorCatalog = {
  bad_request: { status: 400, summary: 'The request is malformed; the message names the field or byte at fault.' },
  invalid_json: { status: 400, summary: 'The body is not valid JSON (or not the JSON shape the endpoint expects).' },
  invalid_protobuf: { status: 400, summary: 'The body is not a valid protobuf message of the expected type.' },
  invalid_otlp: { status: 400, summary: 'The OTLP payload parsed but violates the OTLP data model.' },
  invalid_encoding: { status: 400, summary: 'The body could not be decompressed, or text is not valid UTF-8.' },
  invalid_query: { status: 400, summary: 'A query parameter is missing or invalid (e.g. a time window is required).' },
  unsupported_media_type: { status: 415, summary: 'Content-Type or Content-Encoding is not supported here.' },
  payload_too_large: { status: 413, summary: 'The body (compressed or decompressed) exceeds the configured limit.' },
  unauthenticated: { status: 401, summary: 'No valid Bearer token was presented.' },
  forbidden: { status: 403, summary: 'The token is valid but its role may not use this route.' },
  not_found: { status: 404, summary: 'No such resource or route.' },
  method_not_allowed: { status: 405, summary: 'The route exists but not with this HTTP method.' },
  already_exists: { status: 409, summary: 'Another object of this kind already has that name; the message names it.' },
  invalid_transition: { status: 409, summary: 'The status change is not allowed; the message names from and to.' },
  rate_limited: { status: 429, summary: 'Too many requests; retry after the Retry-After header.' },
  overloaded: { status: 503, summary: 'The ingest queue is full or the server is draining; retry after Retry-After.' },
  config_invalid: { status: 500, summary: 'The configuration is invalid; the message names the key.' },
  audit_corrupt: {
    status: 500,
    summary:
      'The audit vault is missing a row or hash a proof needs: the log was tampered with (run steward audit check).',
  },
  audit_key_unavailable: {
    status: 503,
    summary: 'The audit checkpoint signing key file cannot be read or created (config audit.keyFile).',
  },
  store_unavailable: { status: 503, summary: 'The database could not be reached or failed to commit.' },
  internal: { status: 500, summary: 'An unexpected error; details are in the server log, never in the response.' },
} as const satisfies Record<string, { status: number; summary: string }>;

export type ErrorCode = keyof typeof errorCatalog;
