// What a provider REST path sent through the proxy is: which inbox it belongs to, if any, and whether it sends mail.
// Every provider we speak keeps an inbox's calls under `<version>/inboxes/<id>/`, so that prefix is how a path is
// tied to an inbox; anything else (an account's inbox list, threads and attachments by their own ids) belongs to no
// inbox, and a token narrowed to inboxes may not call it. Pure: the proxy and the send tools read paths through here.
import { invalidRequest } from '../../shared/errors.ts';
import type { ProviderName } from '../../shared/status.ts';

export interface ProviderPath {
  /** The path exactly as it goes to the provider (still percent-encoded), starting with `/`. */
  raw: string;
  /** Its decoded segments. */
  segments: readonly string[];
  /** The inbox the path is under, or null for a path of the whole account. */
  inboxId: string | null;
  /** A POST that sends mail: it carries an Idempotency-Key and counts against the send limit. */
  send: boolean;
}

/** Where each provider keeps an inbox's calls: `<version>/inboxes/<id>/...` (docs/providers.md, the REST sections). */
const INBOXES: Record<ProviderName, readonly [string, string]> = {
  openmail: ['v1', 'inboxes'],
  agentmail: ['v0', 'inboxes'],
  myagentmail: ['v1', 'inboxes'],
};

/** The sends, as the segments after `<version>/inboxes/<id>/` (`*` is any one segment). */
const SENDS: Record<ProviderName, readonly (readonly string[])[]> = {
  openmail: [['send']],
  agentmail: [['messages', 'send'], ['messages', '*', 'reply'], ['messages', '*', 'reply-all'], ['messages', '*', 'forward'], ['drafts', '*', 'send']],
  myagentmail: [['send'], ['reply', '*'], ['reply-all', '*'], ['forward', '*'], ['drafts', '*', 'send']],
};

/** The inbox root of a provider's REST API, as people read it (`/v1/inboxes/<id>/`), for messages. */
export function inboxPathPattern(provider: ProviderName): string {
  return `/${INBOXES[provider].join('/')}/<inbox id>/`;
}

/**
 * Reads a path an agent sent. Refused (bad_request): an empty segment, a `.` or `..` segment, and a segment that
 * decodes to a slash, a backslash or a control character, which providers and the servers in front of them may
 * read as another path than the one checked here.
 */
export function readProviderPath(provider: ProviderName, method: string, raw: string): ProviderPath {
  if (!raw.startsWith('/')) throw invalidRequest('the provider path must start with /');
  const segments = raw.slice(1).split('/').map(decodeSegment);
  const [version, inboxes, inboxId] = segments;
  const [wantVersion, wantInboxes] = INBOXES[provider];
  const underInbox = version === wantVersion && inboxes === wantInboxes && inboxId !== undefined;
  const rest = segments.slice(3);
  const send = method === 'POST' && underInbox && SENDS[provider].some((pattern) => matches(pattern, rest));
  return { raw, segments, inboxId: underInbox ? (inboxId as string) : null, send };
}

function matches(pattern: readonly string[], segments: readonly string[]): boolean {
  return pattern.length === segments.length && pattern.every((want, i) => want === '*' || want === segments[i]);
}

function decodeSegment(segment: string): string {
  if (segment === '') throw invalidRequest('the provider path has an empty segment');
  let decoded: string;
  try {
    decoded = decodeURIComponent(segment);
  } catch {
    throw invalidRequest('malformed percent-encoding in the provider path');
  }
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this refuses.
  if (decoded === '.' || decoded === '..' || /[/\\\u0000-\u001f\u007f]/.test(decoded)) {
    throw invalidRequest(`the provider path segment "${segment}" is not allowed`);
  }
  return decoded;
}
