import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { EndpointFile, EventsResponse } from '../../../shared/local-api.ts';
import { PortInUseError, startLocalApi } from '../../../daemon/local-api/server.ts';
import { waitFor } from '../../support/wait-for.ts';
import { type Harness, mailEvents, SseReader, startHarness } from './harness.ts';

const harnesses: Harness[] = [];

async function harness(...args: Parameters<typeof startHarness>): Promise<Harness> {
  const h = await startHarness(...args);
  harnesses.push(h);
  return h;
}

afterEach(async () => {
  for (const h of harnesses.splice(0)) await h.close();
});

const mode = (file: string): number => fs.statSync(file).mode & 0o777;

function nonLoopbackAddress(): string | undefined {
  return Object.values(os.networkInterfaces())
    .flat()
    .find((info) => info !== undefined && info.family === 'IPv4' && !info.internal)?.address;
}

describe('startLocalApi', () => {
  it('writes endpoint.json (0600) describing the running endpoint, and removes it on close', async () => {
    const h = await harness();
    const file = path.join(h.dataDir, 'endpoint.json');
    const endpoint = JSON.parse(fs.readFileSync(file, 'utf8')) as EndpointFile;
    expect(endpoint).toEqual({
      url: h.api.url,
      socket: path.join(h.root, 'run', 'mailbridge.sock'),
      token_file: path.join(h.dataDir, 'token'),
      pid: process.pid,
      version: '0.0.0-test',
    });
    expect(mode(file)).toBe(0o600);
    expect(h.api.endpoint).toEqual(endpoint);
    expect(endpoint.url).toBe(`http://127.0.0.1:${h.api.port}`);
    // The file is enough to find and use the endpoint.
    const token = fs.readFileSync(endpoint.token_file, 'utf8').trim();
    expect((await fetch(`${endpoint.url}/v1/status`, { headers: { Authorization: `Bearer ${token}` } })).status).toBe(200);

    await h.api.close();
    expect(fs.existsSync(file)).toBe(false);
    expect(fs.existsSync(endpoint.socket as string)).toBe(false);
  });

  it('keeps one 256-bit token (0600) across restarts, and rotation swaps it at once', async () => {
    const h = await harness();
    expect(h.token).toMatch(/^[0-9a-f]{64}$/);
    expect(mode(h.api.tokenFile)).toBe(0o600);
    const before = h.token;
    await h.restart();
    expect(h.token).toBe(before);
    expect((await h.get('/v1/status')).status).toBe(200);

    expect((await h.get('/v1/token/rotate', { method: 'POST' })).status).toBe(200);
    const rotated = fs.readFileSync(h.api.tokenFile, 'utf8').trim();
    expect(rotated).not.toBe(before);
    expect(fs.readFileSync(h.api.tokenFile, 'utf8').trim()).toBe(rotated);
    expect((await fetch(`${h.api.url}/v1/status`, { headers: { Authorization: `Bearer ${before}` } })).status).toBe(401);
    expect((await fetch(`${h.api.url}/v1/status`, { headers: { Authorization: `Bearer ${rotated}` } })).status).toBe(200);
    expect(h.api.dashboardUrl()).toBe(`${h.api.url}/#token=${rotated}`);
  });

  it('rejects a busy port with an error naming the port and --port 0, and leaves no endpoint.json behind', async () => {
    const h = await harness();
    const otherDir = path.join(h.root, 'other');
    const attempt = startLocalApi({ ...h.ctx, dataDir: otherDir }, { port: h.api.port, socketDir: null, dashboardDir: null });
    const error = await attempt.then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(PortInUseError);
    expect((error as PortInUseError).code).toBe('EADDRINUSE');
    expect((error as Error).message).toContain(String(h.api.port));
    expect((error as Error).message).toContain('--port 0');
    expect(fs.existsSync(path.join(otherDir, 'endpoint.json'))).toBe(false);
    // The running one is untouched.
    expect((await h.get('/v1/status')).status).toBe(200);
  });

  const address = nonLoopbackAddress();
  it.skipIf(address === undefined)('listens on 127.0.0.1 only: another interface of this machine is refused', async () => {
    const h = await harness();
    const refused = await new Promise<string>((resolve) => {
      const socket = net.connect(h.api.port, address as string);
      socket.once('connect', () => {
        socket.destroy();
        resolve('connected');
      });
      socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
    });
    expect(refused).toBe('ECONNREFUSED');
  });

  it('puts the Unix socket (0600) in a 0700 directory, replacing the socket file a crashed process left', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'mailbridge-stale-'));
    const socketDir = path.join(root, 'run');
    fs.mkdirSync(socketDir, { mode: 0o755 });
    const socketFile = path.join(socketDir, 'mailbridge.sock');
    // A process that listens on the socket and is then killed leaves the file with nobody behind it.
    const child = spawn(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(socketFile)}, () => console.log('ready'))`]);
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    expect(fs.lstatSync(socketFile).isSocket()).toBe(true);

    try {
      const h = await harness({ socketDir });
      expect(h.api.socketPath).toBe(socketFile);
      expect(mode(socketDir)).toBe(0o700);
      expect(mode(socketFile)).toBe(0o600);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it('refuses to take over a Unix socket another live process is serving', async () => {
    const h = await harness();
    const attempt = startLocalApi({ ...h.ctx, dataDir: path.join(h.root, 'second') }, { port: 0, socketDir: path.join(h.root, 'run'), dashboardDir: null });
    await expect(attempt).rejects.toThrow(/already serving/);
    expect((await fetch(`${h.api.url}/v1/status`, { headers: { Authorization: `Bearer ${h.token}` } })).status).toBe(200);
  });

  it('on close, answers parked long-polls with no events and ends streams, promptly', async () => {
    const h = await harness();
    const [event] = h.commit(mailEvents(1));
    const poll = h.get(`/v1/events?after=${event?.seq}&wait=60`);
    const stream = await SseReader.open(`${h.api.url}/v1/stream`, { Authorization: `Bearer ${h.token}` });
    await stream.until((r) => r.messages.length === 1);
    await waitFor(() => h.api.clients().longPolls === 1, 5_000, 'the parked poll');

    await h.api.close();
    expect((await (await poll).json()) as EventsResponse).toEqual({ events: [], next_after: event?.seq });
    await stream.until((r) => r.ended);
    expect(h.api.clients()).toEqual({ connections: 0, longPolls: 0, streams: 0 });
  });
});
