import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { autostartDesktopEntry, autostartFile, execArgument } from '../../electron/autostart-entry.ts';

describe('autostartFile', () => {
  it('lives in ~/.config/autostart, or under an absolute XDG_CONFIG_HOME', () => {
    expect(autostartFile({}, '/home/jane')).toBe(path.join('/home/jane', '.config', 'autostart', 'mailbridge.desktop'));
    expect(autostartFile({ XDG_CONFIG_HOME: '/cfg' }, '/home/jane')).toBe(path.join('/cfg', 'autostart', 'mailbridge.desktop'));
    // The spec says a relative value is invalid and must be ignored.
    expect(autostartFile({ XDG_CONFIG_HOME: 'relative' }, '/home/jane')).toBe(path.join('/home/jane', '.config', 'autostart', 'mailbridge.desktop'));
  });
});

describe('autostartDesktopEntry', () => {
  it('is a complete XDG autostart entry for the executable', () => {
    expect(autostartDesktopEntry('/opt/Mailbridge/mailbridge')).toBe(
      [
        '[Desktop Entry]',
        'Type=Application',
        'Name=Mailbridge',
        'Comment=Relays agent email from your provider to local agents',
        'Exec=/opt/Mailbridge/mailbridge',
        'Terminal=false',
        'X-GNOME-Autostart-enabled=true',
        '',
      ].join('\n'),
    );
  });
});

describe('execArgument', () => {
  it('leaves a plain path alone', () => {
    expect(execArgument('/home/jane/Applications/Mailbridge-0.1.0.AppImage')).toBe('/home/jane/Applications/Mailbridge-0.1.0.AppImage');
  });

  it('quotes reserved characters and escapes what the quotes do not protect', () => {
    expect(execArgument('/home/jane/My Apps/Mailbridge.AppImage')).toBe('"/home/jane/My Apps/Mailbridge.AppImage"');
    expect(execArgument('/tmp/$HOME/a"b`c')).toBe('"/tmp/\\\\$HOME/a\\\\"b\\\\`c"');
    // A literal backslash takes four in the file: one level for quoting, one for the string value.
    expect(execArgument('/a b\\c')).toBe('"/a b\\\\\\\\c"');
  });

  it('doubles % so it is not read as a field code', () => {
    expect(execArgument('/opt/100%/app')).toBe('/opt/100%%/app');
  });

  it('refuses a line break, which would end the Exec line', () => {
    expect(() => execArgument('/opt/app\nX-Evil=1')).toThrow(/line breaks/);
  });
});
