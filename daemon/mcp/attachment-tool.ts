// get_attachment: one attachment of a mail the principal may see, in the form an agent can use. A text file is read
// from Mailbridge's copy (fetched now if it is not kept yet); a file the provider extracted text from gives that text;
// anything else is a resource link to its local_url. The text goes out inside the untrusted-mail block.
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { attachmentIdOf, essenceOf } from '../../shared/attachments.ts';
import { CodedError } from '../../shared/errors.ts';
import type { MailAttachment } from '../../shared/event.ts';
import type { Principal } from '../../shared/principal.ts';
import { UNTRUSTED_NOTICE } from '../../shared/wait.ts';
import { isTextLike } from '../attachments/content-type.ts';
import type { AttachmentKeeper } from '../attachments/keeper.ts';
import { eventItem } from '../query/history.ts';
import type { EventStore } from '../store/events.ts';
import { type AttachmentAnswer, MAX_ATTACHMENT_TEXT } from './attachment-tool-schemas.ts';
import { attachmentText, newNonce } from './mail-text.ts';
import { toolError, toolResult, type ToolArgs } from './tools.ts';

/** A text file larger than this is not read into an answer: its extracted text or a link stands in. */
const MAX_TEXT_FILE_BYTES = 4 * MAX_ATTACHMENT_TEXT;

export interface AttachmentToolDeps {
  events: EventStore;
  attachments: Pick<AttachmentKeeper, 'open'>;
}

export function getAttachmentHandler(deps: AttachmentToolDeps, principal: Principal) {
  return async (args: ToolArgs<'get_attachment'>): Promise<CallToolResult> => {
    const item = eventItem(deps.events, args.seq, principal);
    if (item === null) return toolError(`no mail with seq ${args.seq}: retention may have removed it, or this token may not see it`);
    const attachments = item.event.message?.attachments ?? [];
    const picked = pick(attachments, args);
    if (typeof picked === 'string') return toolError(picked);
    const { index, attachment } = picked;
    const base = {
      notice: UNTRUSTED_NOTICE,
      seq: item.seq,
      index,
      filename: attachment.filename,
      content_type: attachment.contentType,
      size_bytes: attachment.sizeBytes,
      local_url: attachment.local_url ?? null,
      truncated: false,
    };
    let note: string | undefined;
    if (isTextLike(attachment.contentType) && attachment.sizeBytes <= MAX_TEXT_FILE_BYTES) {
      const read = await readText(deps, attachment, principal);
      if (typeof read !== 'string') return answer({ ...base, content: 'text', ...cut(read.text) });
      note = read;
    }
    if (typeof attachment.parsedText === 'string' && attachment.parsedText !== '') {
      return answer({ ...base, content: 'parsed_text', ...cut(attachment.parsedText), ...(note === undefined ? {} : { note }) });
    }
    const result = answer({ ...base, content: 'link', text: null, ...(note === undefined ? {} : { note }) });
    if (base.local_url === null) return result;
    const link = { type: 'resource_link' as const, uri: base.local_url, name: attachment.filename, mimeType: essenceOf(attachment.contentType) };
    return { ...result, content: [...result.content, link] };
  };
}

/** The attachment the arguments name: by index, else by file name, else the mail's only one. */
function pick(attachments: readonly MailAttachment[], args: ToolArgs<'get_attachment'>): { index: number; attachment: MailAttachment } | string {
  const list = attachments.map((attachment, index) => `${index}: ${attachment.filename}`).join(', ');
  if (attachments.length === 0) return `mail ${args.seq} has no attachments`;
  if (args.index !== undefined) {
    const attachment = attachments[args.index];
    return attachment === undefined ? `mail ${args.seq} has no attachment ${args.index} (it has ${list})` : { index: args.index, attachment };
  }
  if (args.filename !== undefined) {
    const wanted = args.filename;
    let index = attachments.findIndex((attachment) => attachment.filename === wanted);
    if (index < 0) index = attachments.findIndex((attachment) => attachment.filename.toLowerCase() === wanted.toLowerCase());
    return index < 0 ? `mail ${args.seq} has no attachment named ${JSON.stringify(wanted)} (it has ${list})` : { index, attachment: attachments[index]! };
  }
  return attachments.length === 1 ? { index: 0, attachment: attachments[0]! } : `mail ${args.seq} has ${attachments.length} attachments: say which by index (${list})`;
}

/** The file's text, or why it could not be given (it could not be had, or is not UTF-8 after all). */
async function readText(deps: AttachmentToolDeps, attachment: MailAttachment, principal: Principal): Promise<{ text: string } | string> {
  const id = attachment.local_url === undefined ? null : attachmentIdOf(attachment.local_url);
  if (id === null) return 'Mailbridge holds no copy of this file';
  let bytes: Buffer;
  try {
    const kept = await deps.attachments.open(id, principal);
    try {
      bytes = await kept.file.readFile();
    } finally {
      await kept.file.close();
    }
  } catch (error) {
    if (error instanceof CodedError) return `its text could not be read: ${error.message}`;
    throw error;
  }
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes) };
  } catch {
    return 'its bytes are not UTF-8 text';
  }
}

function cut(text: string): { text: string; truncated: boolean } {
  return text.length > MAX_ATTACHMENT_TEXT ? { text: text.slice(0, MAX_ATTACHMENT_TEXT), truncated: true } : { text, truncated: false };
}

function answer(result: AttachmentAnswer): CallToolResult {
  return toolResult('get_attachment', result, attachmentText(result, newNonce()));
}
