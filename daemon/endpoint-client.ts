// How the CLI (and any local tool) finds and talks to a running daemon: endpoint.json, then the token file.
import fs from 'node:fs';
import http from 'node:http';
import {
  CONTROL_ROUTES,
  controlClient,
  requestTarget,
  type ControlApi,
  type ControlName,
  type ControlRequest,
  type ControlResponse,
} from '../shared/control.ts';
import { CodedError, isApiErrorCode } from '../shared/errors.ts';
import type { ApiError, EndpointFile } from '../shared/local-api.ts';
import { readEndpointFile } from './local-api/endpoint-file.ts';

export interface RunningEndpoint {
  info: EndpointFile;
  token: string;
}

export function findRunningEndpoint(dataDir: string): RunningEndpoint | null {
  const info = readEndpointFile(dataDir);
  if (!info || !isAlive(info.pid)) return null;
  try {
    return { info, token: fs.readFileSync(info.token_file, 'utf8').trim() };
  } catch {
    return null;
  }
}

export function apiGet<T>(endpoint: RunningEndpoint, path: string, signal?: AbortSignal): Promise<T> {
  return request<T>(endpoint, 'GET', path, signal);
}

export function apiPost<T>(endpoint: RunningEndpoint, path: string): Promise<T> {
  return request<T>(endpoint, 'POST', path);
}

async function request<T>(endpoint: RunningEndpoint, method: string, path: string, signal?: AbortSignal): Promise<T> {
  const response = await fetch(new URL(path, endpoint.info.url), {
    method,
    headers: { authorization: `Bearer ${endpoint.token}` },
    signal: signal ?? null,
  });
  const body = (await response.json()) as T & { error?: { message: string } };
  if (!response.ok) throw new Error(body.error?.message ?? `HTTP ${response.status}`);
  return body;
}

/** The running engine's control calls over its endpoint, as the window's HTTP client makes them: same routes, same errors. */
export function endpointControl(endpoint: RunningEndpoint): ControlApi {
  return controlClient(async <M extends ControlName>(name: M, request: ControlRequest<M>): Promise<ControlResponse<M>> => {
    const route = CONTROL_ROUTES[name];
    const target = requestTarget(route.path, route.request, request);
    const withBody = target.body !== undefined;
    const response = await fetch(new URL(target.path, endpoint.info.url), {
      method: route.method,
      headers: { authorization: `Bearer ${endpoint.token}`, ...(withBody ? { 'content-type': 'application/json' } : {}) },
      ...(withBody ? { body: JSON.stringify(target.body) } : {}),
    });
    const body: unknown = await response.json();
    if (!response.ok && !(route.answers ?? []).includes(response.status)) {
      const error = (body as Partial<ApiError>).error;
      const message = error?.message ?? `HTTP ${response.status}`;
      throw isApiErrorCode(error?.code) ? new CodedError(error.code, message) : new Error(message);
    }
    return route.read(body, response.status);
  });
}

/**
 * A GET that may take as long as the answer takes (`/v1/wait` holds for up to 10 minutes): node:http has no
 * response deadline, where fetch gives up on headers after 5 minutes.
 */
export function apiGetHeld<T>(endpoint: RunningEndpoint, path: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const request = http.get(new URL(path, endpoint.info.url), { headers: { authorization: `Bearer ${endpoint.token}` } }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', reject);
      response.on('end', () => {
        try {
          const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as T & { error?: { message: string } };
          if ((response.statusCode ?? 500) >= 400) reject(new Error(body.error?.message ?? `HTTP ${response.statusCode}`));
          else resolve(body);
        } catch {
          reject(new Error(`HTTP ${response.statusCode}: the answer is not JSON`));
        }
      });
    });
    request.on('error', reject);
  });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
