// What a kept file is served as. Its type and name come from the mail, so both are untrusted: the type is used only
// when it is a well-formed MIME type, only passive types are offered for showing in place, and the name goes out
// quoted and encoded (content-disposition), so nothing a sender writes can add a header or make a page run.
import { create as contentDisposition } from 'content-disposition';
import { essenceOf, isPassiveType, safeFilename } from '../../shared/attachments.ts';

const CHARSET = /;\s*charset="?([a-z0-9_.:-]{1,40})"?\s*(?:;|$)/i;

/** Text an agent can be given as it is (besides every `text/*` type). */
const TEXT_LIKE = new Set(['application/json', 'application/xml', 'application/yaml', 'application/x-yaml', 'application/csv']);

/** The Content-Type to serve: the declared type when well formed (a text type keeps a well-formed charset). */
export function servedType(declared: string): string {
  const essence = essenceOf(declared);
  const charset = essence.startsWith('text/') ? CHARSET.exec(declared)?.[1]?.toLowerCase() : undefined;
  return charset === undefined ? essence : `${essence}; charset=${charset}`;
}

/** Whether its bytes are text to read (an agent is handed them as text rather than as a link). */
export function isTextLike(declared: string): boolean {
  const essence = essenceOf(declared);
  return (essence.startsWith('text/') && essence !== 'text/html') || TEXT_LIKE.has(essence) || essence.endsWith('+json');
}

/** The headers a kept file is served with, besides its length. */
export function fileHeaders(filename: string, declaredType: string): Record<string, string> {
  return {
    'Content-Type': servedType(declaredType),
    'Content-Disposition': contentDisposition(safeFilename(filename), { type: isPassiveType(declaredType) ? 'inline' : 'attachment' }),
    'X-Content-Type-Options': 'nosniff',
    // Should a browser show it anyway, nothing in it runs or loads.
    'Content-Security-Policy': "default-src 'none'; sandbox",
    'Cache-Control': 'no-store',
  };
}
