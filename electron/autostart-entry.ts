// Launch at login on Linux: an XDG autostart entry (~/.config/autostart/<name>.desktop), which GNOME, KDE,
// Xfce and most other desktops honour. Building the file is pure; login-item.ts writes or removes it.
import path from 'node:path';
import { APP_NAME } from './app-identity.ts';

export function autostartFile(env: NodeJS.ProcessEnv, home: string): string {
  const configHome = env.XDG_CONFIG_HOME && path.isAbsolute(env.XDG_CONFIG_HOME) ? env.XDG_CONFIG_HOME : path.join(home, '.config');
  return path.join(configHome, 'autostart', `${APP_NAME.toLowerCase()}.desktop`);
}

/** `executable` is the AppImage when running from one (the mounted path inside it changes every run). */
export function autostartDesktopEntry(executable: string): string {
  return [
    '[Desktop Entry]',
    'Type=Application',
    `Name=${APP_NAME}`,
    'Comment=Relays agent email from your provider to local agents',
    `Exec=${execArgument(executable)}`,
    'Terminal=false',
    'X-GNOME-Autostart-enabled=true',
    '',
  ].join('\n');
}

/**
 * Quotes one Exec argument per the Desktop Entry spec: reserved characters force double quotes, inside which
 * `"`, `` ` ``, `$` and `\` are backslash-escaped; the string-value escaping then doubles every backslash,
 * and `%` is doubled so it is not read as a field code.
 */
export function execArgument(argument: string): string {
  if (/[\n\r\0]/.test(argument)) throw new Error('an autostart command cannot contain line breaks');
  const reserved = /[\s"'\\><~|&;$*?#()`]/.test(argument);
  const quoted = reserved ? `"${argument.replace(/["`$\\]/g, (c) => `\\${c}`)}"` : argument;
  return quoted.replaceAll('\\', '\\\\').replaceAll('%', '%%');
}
