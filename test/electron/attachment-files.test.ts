// Runs against the fake 'electron' module: the Electron runtime cannot be had on this machine. The files are real:
// a kept attachment is opened from a real file and written where the save dialog (faked) says, or into a real
// private temp folder for the app that shows it (faked).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { KeptFile } from '../../daemon/attachments/keeper.ts';
import { openAttachment, saveAttachment, type AttachmentSource } from '../../electron/attachment-files.ts';
import { OWNER } from '../../shared/principal.ts';
import { dialog, resetFakeElectron, shell } from './fake-electron.ts';

vi.mock('electron', () => import('./fake-electron.ts'));

const ID = 'att_AAAAAAAAAAAAAAAAAAAAAAAA';
const LOCAL_URL = `http://127.0.0.1:4319/v1/attachments/${ID}`;
const BYTES = Buffer.from('%PDF-1.4 the report');

let dir: string;
let opened: string[];

function source(filename: string, contentType: string): AttachmentSource {
  return {
    open: async (id, principal) => {
      opened.push(id);
      expect(principal).toBe(OWNER);
      const file = path.join(dir, 'kept');
      fs.writeFileSync(file, BYTES);
      const handle = await fs.promises.open(file, 'r');
      return { file: handle, size: BYTES.length, sha256: 'f'.repeat(64), filename, contentType } as unknown as KeptFile;
    },
  };
}

beforeEach(() => {
  resetFakeElectron();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mailbridge-window-files-'));
  opened = [];
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('saveAttachment', () => {
  it('offers the cleaned name in the downloads folder and writes the kept bytes where the person chose', async () => {
    dialog.savePath = path.join(dir, 'chosen.pdf');
    expect(await saveAttachment(LOCAL_URL, source('../report\u202E.pdf', 'application/pdf'), '/home/me/Downloads', null)).toBe(true);
    expect(opened).toEqual([ID]);
    expect(dialog.showSaveDialog).toHaveBeenCalledWith({ defaultPath: path.join('/home/me/Downloads', '___report.pdf') });
    expect(fs.readFileSync(dialog.savePath).equals(BYTES)).toBe(true);
  });

  it('writes nothing when the person cancels', async () => {
    expect(await saveAttachment(LOCAL_URL, source('report.pdf', 'application/pdf'), dir, null)).toBe(false);
    expect(fs.readdirSync(dir)).toEqual(['kept']);
  });

  it('refuses what is not a local_url of this Mailbridge', async () => {
    for (const bad of [undefined, 42, 'https://evil.example/x', `${LOCAL_URL}/../../token`]) {
      await expect(saveAttachment(bad, source('a.pdf', 'application/pdf'), dir, null)).rejects.toMatchObject({ code: 'bad_request' });
    }
    expect(opened).toEqual([]);
  });
});

describe('openAttachment', () => {
  it('hands a passive file to its app from a private temp folder, under an extension chosen from its type', async () => {
    expect(await openAttachment(LOCAL_URL, source('invoice.pdf.exe', 'application/pdf'), dir)).toBe(true);
    const [file] = shell.openPath.mock.calls.at(-1)!;
    expect(path.basename(file)).toBe('invoice.pdf.exe.pdf');
    expect(path.dirname(path.dirname(file))).toBe(dir);
    expect(fs.statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.readFileSync(file).equals(BYTES)).toBe(true);
  });

  it('never opens a type that can run code, nor a passive one it has no safe extension for', async () => {
    for (const type of ['text/html', 'image/svg+xml', 'application/x-msdownload', 'video/x-unknown']) {
      await expect(openAttachment(LOCAL_URL, source('a', type), dir)).rejects.toMatchObject({ code: 'bad_request', message: expect.stringMatching(/save it instead$/) });
    }
    expect(shell.openPath).not.toHaveBeenCalled();
  });

  it("says why when the app cannot open it", async () => {
    shell.openPathAnswer = 'No application is registered for this file';
    await expect(openAttachment(LOCAL_URL, source('photo.png', 'image/png'), dir)).rejects.toMatchObject({
      message: 'could not open photo.png: No application is registered for this file',
    });
  });
});
