// `GET /v1/attachments/<id>`: a kept attachment's bytes, where an event's `local_url` points. The id is checked against
// the mail it belongs to, which the asking principal must be able to see; a file not kept yet is fetched now through
// the provider (the agent never needs the API key). The bytes are hashed on the way out: a file that no longer matches
// its hash is cut off mid-answer (the client sees a short body against its Content-Length) and fetched again.
import { createHash } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { ATTACHMENTS_PATH } from '../../../shared/attachments.ts';
import type { AttachmentKeeper, KeptFile } from '../../attachments/keeper.ts';
import { fileHeaders } from '../../attachments/content-type.ts';
import type { LocalRoute } from '../context.ts';

export type AttachmentFiles = Pick<AttachmentKeeper, 'open' | 'damaged'>;

export function attachmentsRoute(attachments: AttachmentFiles): LocalRoute {
  return {
    method: 'GET',
    path: `${ATTACHMENTS_PATH}/:id`,
    access: 'read',
    handle: async ({ res, params, principal }) => {
      const kept = await attachments.open(params.id!, principal);
      await sendKept(res, kept, () => attachments.damaged(kept.sha256));
    },
  };
}

async function sendKept(res: ServerResponse, kept: KeptFile, onDamaged: () => void): Promise<void> {
  const stream = kept.file.createReadStream();
  try {
    res.writeHead(200, { ...fileHeaders(kept.filename, kept.contentType), 'Content-Length': String(kept.size) });
    const hash = createHash('sha256');
    for await (const chunk of stream) {
      if (res.destroyed) return;
      hash.update(chunk as Buffer);
      if (!res.write(chunk)) await drained(res);
    }
    if (hash.digest('hex') !== kept.sha256) {
      res.destroy();
      onDamaged();
      return;
    }
    res.end();
  } finally {
    stream.destroy();
  }
}

function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.once('drain', done);
    res.once('close', done);
  });
}
