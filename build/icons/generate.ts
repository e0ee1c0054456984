// Writes every icon the app and the installer use into build/. Run after changing designs.ts; the PNGs are
// committed so neither the build nor the packaged app depends on this script.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ICON_NAMES } from '../../electron/tray-presenter.ts';
import { APP_UNITS, TRAY_UNITS, appIconLayers, trayLayers } from './designs.ts';
import { render } from './draw.ts';
import { encodePng } from './png.ts';

const ICONS = path.dirname(fileURLToPath(import.meta.url));
const BUILD = path.dirname(ICONS);

function write(file: string, pixels: number, units: number, layers: Parameters<typeof render>[2], samples?: number): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, encodePng(pixels, pixels, render(pixels, units, layers, samples)));
  process.stdout.write(`${path.relative(BUILD, file)}\n`);
}

for (const icon of ICON_NAMES) {
  for (const template of [false, true]) {
    const name = `${icon}${template ? 'Template' : ''}`;
    write(path.join(ICONS, 'tray', `${name}.png`), 16, TRAY_UNITS, trayLayers(icon, template));
    write(path.join(ICONS, 'tray', `${name}@2x.png`), 32, TRAY_UNITS, trayLayers(icon, template));
  }
}
// electron-builder makes the .icns, .ico and Linux sizes from build/icon.png; the window and Linux
// notifications use the small copy at runtime.
write(path.join(BUILD, 'icon.png'), 1024, APP_UNITS, appIconLayers(), 2);
write(path.join(ICONS, 'app.png'), 256, APP_UNITS, appIconLayers(), 4);
