// The token-less local transport: a Unix socket in a 0700 directory, or on Windows a named pipe (which any
// local user can open, so there the token is still required).
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { ensurePrivateDir, PRIVATE_FILE_MODE } from '../store/private-files.ts';

export interface LocalSocket {
  path: string;
  transport: 'unix' | 'pipe';
}

export const SOCKET_NAME = 'mailbridge.sock';

/** One pipe per data directory, so two instances with different data dirs never collide. */
export function localSocketFor(socketDir: string, dataDir: string, platform: NodeJS.Platform = process.platform): LocalSocket {
  if (platform === 'win32') {
    const hash = createHash('sha256').update(path.win32.resolve(dataDir).toLowerCase()).digest('hex').slice(0, 16);
    return { path: `\\\\.\\pipe\\mailbridge-${hash}`, transport: 'pipe' };
  }
  return { path: path.join(socketDir, SOCKET_NAME), transport: 'unix' };
}

export class SocketInUseError extends Error {
  readonly code = 'EADDRINUSE';
  constructor(socketPath: string) {
    super(`another process is already serving ${socketPath} (is another Mailbridge running on this data directory?)`);
    this.name = 'SocketInUseError';
  }
}

/**
 * A socket file left by a crash makes listen fail with EADDRINUSE; remove it, but only if nobody answers on it,
 * and never remove something that is not a socket.
 */
export async function removeStaleSocket(file: string): Promise<void> {
  let stat: fs.Stats;
  try {
    stat = fs.lstatSync(file);
  } catch {
    return;
  }
  if (!stat.isSocket()) throw new Error(`${file} exists and is not a socket; move it away and start again`);
  if (await answers(file)) throw new SocketInUseError(file);
  fs.rmSync(file, { force: true });
}

function answers(file: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.connect(file);
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
}

export function listen(server: net.Server, options: net.ListenOptions): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error): void => reject(error);
    server.once('error', onError);
    server.listen(options, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

export async function listenLocal(server: net.Server, socket: LocalSocket): Promise<void> {
  if (socket.transport === 'unix') {
    ensurePrivateDir(path.dirname(socket.path));
    await removeStaleSocket(socket.path);
  }
  try {
    await listen(server, { path: socket.path });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new SocketInUseError(socket.path);
    throw error;
  }
  // The 0700 directory is what keeps others out; 0600 on the socket says the same for anyone who looks.
  if (socket.transport === 'unix') fs.chmodSync(socket.path, PRIVATE_FILE_MODE);
}
