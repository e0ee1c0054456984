// Who the tray app is to the OS. The appId must equal electron-builder's `appId`: Windows attributes
// notifications to the Start-menu shortcut carrying this AppUserModelID, and macOS signs the bundle with it.
export { APP_NAME } from '../daemon/paths.ts';

export const APP_ID = 'sh.mailbridge.app';
