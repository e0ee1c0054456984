// One catalogue of coded errors for every way into the engine. The engine throws a CodedError; HTTP answers
// with the code's status and `{ error: { code, message } }`, IPC carries the same code and message to the window,
// and the command line prints the message. The codes are the ones the local API documents (ApiErrorCode).
import type { ApiErrorCode } from './local-api.ts';

export const ERROR_STATUS = {
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  payload_too_large: 413,
  too_many_requests: 429,
  internal: 500,
  // The provider behind the REST proxy could not be reached, or did not answer in time.
  bad_gateway: 502,
  // An attachment that cannot be kept: over the size limits, or the disk is full.
  insufficient_storage: 507,
} as const satisfies Record<ApiErrorCode, number>;

/** An error whose code and message are meant for the caller: they reach it unchanged over every transport. */
export class CodedError extends Error {
  readonly code: ApiErrorCode;

  constructor(code: ApiErrorCode, message: string) {
    super(message);
    this.name = 'CodedError';
    this.code = code;
  }

  get status(): number {
    return ERROR_STATUS[this.code];
  }
}

export const invalidRequest = (message: string): CodedError => new CodedError('bad_request', message);
export const notFoundError = (message: string): CodedError => new CodedError('not_found', message);

export function isApiErrorCode(value: unknown): value is ApiErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERROR_STATUS, value);
}
