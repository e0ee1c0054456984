// One HTTP request to a provider's REST API, with the body streamed out under a size cap and a deadline for the
// answer. Redirects are not followed: a provider's redirect goes back to the caller as it came, so the key is never
// sent to whatever host a Location names.
import http from 'node:http';
import https from 'node:https';
import type { Readable } from 'node:stream';
import { CodedError } from '../../shared/errors.ts';

export interface UpstreamCall {
  url: URL;
  method: string;
  headers: Readonly<Record<string, string>>;
  /** Streamed as it arrives (a request being proxied), or sent whole. */
  body: Readable | Buffer | null;
  /** A streamed body past this many bytes ends the call with `payload_too_large`; nothing is sent in full. */
  maxBodyBytes: number;
  /** How long the provider may stay silent, before its answer and while it streams it. */
  timeoutMs: number;
  signal: AbortSignal;
}

/** Resolves with the provider's answer as soon as its headers arrive; the caller reads (or discards) the body. */
export function callUpstream(call: UpstreamCall): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    const client = call.url.protocol === 'https:' ? https : http;
    const request = client.request(call.url, { method: call.method, headers: call.headers, signal: call.signal });
    let answered = false;
    const fail = (error: Error): void => {
      if (answered) return;
      answered = true;
      request.destroy();
      reject(error);
    };
    request.setTimeout(call.timeoutMs, () => {
      if (answered) request.destroy(new Error('the provider stopped sending its answer'));
      else fail(new CodedError('bad_gateway', `the provider did not answer within ${Math.round(call.timeoutMs / 1000)} s`));
    });
    request.on('error', (error: NodeJS.ErrnoException) => {
      if (call.signal.aborted) fail(new CodedError('bad_request', 'the request was cancelled'));
      // The message names the host and port at most, never a header.
      else fail(new CodedError('bad_gateway', `could not reach the provider: ${error.code ?? error.message}`));
    });
    request.on('response', (response) => {
      if (answered) {
        response.resume();
        return;
      }
      answered = true;
      resolve(response);
    });
    const { body } = call;
    if (body === null || Buffer.isBuffer(body)) {
      request.end(body ?? undefined);
      return;
    }
    let size = 0;
    body.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= call.maxBodyBytes) return;
      body.unpipe(request);
      // The rest is read and dropped, so the refusal can still go out on the caller's connection.
      body.resume();
      fail(new CodedError('payload_too_large', `the request body exceeds ${call.maxBodyBytes} bytes`));
    });
    body.on('error', () => fail(new CodedError('bad_request', 'the request body was cut short')));
    body.pipe(request);
  });
}

/** The whole answer as text, up to `limit` bytes (a longer one is a `bad_gateway`). */
export function readAnswer(response: http.IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    response.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        response.destroy();
        reject(new CodedError('bad_gateway', `the provider's answer is longer than ${limit} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    response.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    response.on('error', () => reject(new CodedError('bad_gateway', "the provider's answer was cut short")));
  });
}
