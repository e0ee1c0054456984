// Every bound a local client could otherwise push on: one place, so the docs and the tests agree with the code.

/** Request bodies (ack, test-event, forwarder routes) are tiny; anything bigger is a mistake or an attack. */
export const MAX_BODY_BYTES = 64 * 1024;
export const MAX_URL_LENGTH = 8 * 1024;
export const MAX_HEADER_COUNT = 100;
/** Node's own header byte cap; past it the parser answers 431. */
export const MAX_HEADER_BYTES = 16 * 1024;
/** Slowloris: the headers, then the whole request, must arrive within these (the response may take longer). */
export const HEADERS_TIMEOUT_MS = 10_000;
export const REQUEST_TIMEOUT_MS = 30_000;
/** Enough for thousands of parked long-polls and streams, well under common file-descriptor limits. */
export const MAX_CONNECTIONS = 4096;
// Page sizes and query lengths are part of the API contract: shared/local-api.ts.
