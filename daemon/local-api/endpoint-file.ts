// Discovery: `<dataDir>/endpoint.json` tells agents where the running endpoint is and where its token lives.
import fs from 'node:fs';
import path from 'node:path';
import type { EndpointFile } from '../../shared/local-api.ts';
import { readTextIfExists, writePrivateFile } from '../store/private-files.ts';

export function endpointFilePath(dataDir: string): string {
  return path.join(dataDir, 'endpoint.json');
}

export function writeEndpointFile(dataDir: string, info: EndpointFile): void {
  writePrivateFile(endpointFilePath(dataDir), `${JSON.stringify(info, null, 2)}\n`);
}

export function readEndpointFile(dataDir: string): EndpointFile | null {
  const text = readTextIfExists(endpointFilePath(dataDir));
  if (text === null) return null;
  try {
    return JSON.parse(text) as EndpointFile;
  } catch {
    return null;
  }
}

/** Removes the file only while it still describes this process: a newer instance may have replaced it. */
export function removeEndpointFile(dataDir: string, pid: number = process.pid): void {
  if (readEndpointFile(dataDir)?.pid !== pid) return;
  fs.rmSync(endpointFilePath(dataDir), { force: true });
}
