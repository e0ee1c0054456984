// One HTTP exchange with the local API over TCP or the Unix socket, with the body read whole and an abort handle.
import http from 'node:http';
import type { Endpoint } from './endpoint.ts';

export type Transport = 'tcp' | 'unix';

export interface HttpAnswer {
  status: number;
  body: string;
  /** performance.now() when the last byte arrived. */
  at: number;
}

export interface Exchange {
  answer: Promise<HttpAnswer>;
  abort(): void;
}

export function exchange(
  endpoint: Endpoint,
  via: Transport,
  agent: http.Agent,
  method: string,
  path: string,
  body?: string,
): Exchange {
  const headers: Record<string, string> = {};
  if (via === 'tcp') headers.authorization = `Bearer ${endpoint.token}`;
  if (body !== undefined) {
    headers['content-type'] = 'application/json';
    headers['content-length'] = String(Buffer.byteLength(body));
  }
  let target: http.RequestOptions;
  if (via === 'unix') {
    if (endpoint.socket === null) throw new Error('the daemon serves no Unix socket');
    target = { socketPath: endpoint.socket, path, host: 'localhost' };
  } else {
    const url = new URL(endpoint.url);
    target = { host: url.hostname, port: Number(url.port), path };
  }
  const req = http.request({ ...target, method, headers, agent });
  const answer = new Promise<HttpAnswer>((resolve, reject) => {
    req.once('error', reject);
    req.once('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.once('error', reject);
      res.once('aborted', () => reject(new Error('response aborted')));
      res.once('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), at: performance.now() }));
    });
  });
  req.end(body);
  return { answer, abort: () => req.destroy(new Error('aborted')) };
}
