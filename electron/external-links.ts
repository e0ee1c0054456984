// Links leave the app only to the system browser, only as http(s), and only after the person agrees.
import { dialog, shell, type BrowserWindow, type MessageBoxOptions } from 'electron';
import { externalHttpUrl } from './window-security.ts';

export async function confirmAndOpenExternal(url: unknown, parent: BrowserWindow | null): Promise<boolean> {
  const target = externalHttpUrl(url);
  if (target === null) return false;
  const options: MessageBoxOptions = {
    type: 'question',
    buttons: ['Open in browser', 'Cancel'],
    defaultId: 0,
    cancelId: 1,
    noLink: true,
    message: 'Open this link in your browser?',
    detail: target,
  };
  const { response } = parent ? await dialog.showMessageBox(parent, options) : await dialog.showMessageBox(options);
  if (response !== 0) return false;
  await shell.openExternal(target);
  return true;
}
