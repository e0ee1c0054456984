// A kept attachment asked for by the window, handled in the main process, which runs the engine: saved where the
// person chooses, or shown by its default app. The bytes go from the engine's store to the file and never pass through
// the window. Only passive types are handed to another app, under a name whose extension Mailbridge chose from the
// type, so a file that calls itself a PDF cannot be run as a program.
import fs from 'node:fs/promises';
import path from 'node:path';
import { dialog, shell, type BrowserWindow, type SaveDialogOptions } from 'electron';
import { attachmentIdOf, essenceOf, isPassiveType, safeFilename } from '../shared/attachments.ts';
import { CodedError } from '../shared/errors.ts';
import { OWNER } from '../shared/principal.ts';
import type { AttachmentKeeper, KeptFile } from '../daemon/attachments/keeper.ts';

export type AttachmentSource = Pick<AttachmentKeeper, 'open'>;

/** The extension a file of a passive type is opened with; a passive type without one here is saved, never opened. */
const OPEN_EXTENSIONS: Readonly<Record<string, string>> = {
  'text/plain': '.txt',
  'text/csv': '.csv',
  'application/pdf': '.pdf',
  'application/json': '.json',
  'image/png': '.png',
  'image/jpeg': '.jpg',
  'image/gif': '.gif',
  'image/webp': '.webp',
  'image/avif': '.avif',
  'image/bmp': '.bmp',
  'audio/mpeg': '.mp3',
  'audio/ogg': '.ogg',
  'audio/wav': '.wav',
  'video/mp4': '.mp4',
  'video/webm': '.webm',
  'video/quicktime': '.mov',
};

/** Asks where to save it (the downloads folder, under its cleaned name, by default); false when the person cancels. */
export async function saveAttachment(localUrl: unknown, source: AttachmentSource, downloadsDir: string, parent: BrowserWindow | null): Promise<boolean> {
  const kept = await keptFile(localUrl, source);
  try {
    const options: SaveDialogOptions = { defaultPath: path.join(downloadsDir, safeFilename(kept.filename)) };
    const choice = parent ? await dialog.showSaveDialog(parent, options) : await dialog.showSaveDialog(options);
    if (choice.canceled || !choice.filePath) return false;
    await fs.writeFile(choice.filePath, await kept.file.readFile());
    return true;
  } finally {
    await kept.file.close();
  }
}

/** Writes a passive file to a private temp folder under a name of Mailbridge's making, and opens it with its app. */
export async function openAttachment(localUrl: unknown, source: AttachmentSource, tempDir: string): Promise<boolean> {
  const kept = await keptFile(localUrl, source);
  try {
    const extension = OPEN_EXTENSIONS[essenceOf(kept.contentType)];
    if (!isPassiveType(kept.contentType) || extension === undefined) {
      throw new CodedError('bad_request', `${kept.filename} (${kept.contentType}) could run code if opened: save it instead`);
    }
    const dir = await fs.mkdtemp(path.join(tempDir, 'mailbridge-attachment-'));
    const name = safeFilename(kept.filename);
    const file = path.join(dir, name.toLowerCase().endsWith(extension) ? name : `${name}${extension}`);
    await fs.writeFile(file, await kept.file.readFile(), { mode: 0o600 });
    const problem = await shell.openPath(file);
    if (problem !== '') throw new CodedError('internal', `could not open ${name}: ${problem}`);
    return true;
  } finally {
    await kept.file.close();
  }
}

async function keptFile(localUrl: unknown, source: AttachmentSource): Promise<KeptFile> {
  const id = typeof localUrl === 'string' ? attachmentIdOf(localUrl) : null;
  if (id === null) throw new CodedError('bad_request', 'not an attachment Mailbridge keeps');
  // The window is the owner's.
  return source.open(id, OWNER);
}
