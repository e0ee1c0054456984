import fs from 'node:fs';
import path from 'node:path';
import { crc32, inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { TRAY_UNITS, trayLayers } from '../../build/icons/designs.ts';
import { render } from '../../build/icons/draw.ts';
import { encodePng } from '../../build/icons/png.ts';
import { ICON_NAMES } from '../../electron/tray-presenter.ts';

const ICONS = path.resolve(import.meta.dirname, '..', '..', 'build', 'icons');

/** Decodes the PNGs our encoder writes (RGBA, filter 0), checking every chunk's CRC on the way. */
function decode(file: string): { width: number; height: number; rgba: Buffer } {
  const png = fs.readFileSync(file);
  expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  let offset = 8;
  let width = 0;
  let height = 0;
  const data: Buffer[] = [];
  while (offset < png.length) {
    const length = png.readUInt32BE(offset);
    const type = png.toString('ascii', offset + 4, offset + 8);
    const body = png.subarray(offset + 8, offset + 8 + length);
    expect(png.readUInt32BE(offset + 8 + length)).toBe(crc32(png.subarray(offset + 4, offset + 8 + length)));
    if (type === 'IHDR') {
      [width, height] = [body.readUInt32BE(0), body.readUInt32BE(4)];
      expect([...body.subarray(8)]).toEqual([8, 6, 0, 0, 0]);
    }
    if (type === 'IDAT') data.push(body);
    offset += 12 + length;
  }
  const rows = inflateSync(Buffer.concat(data));
  const rgba = Buffer.alloc(width * height * 4);
  for (let y = 0; y < height; y++) {
    expect(rows[y * (width * 4 + 1)]).toBe(0);
    rows.copy(rgba, y * width * 4, y * (width * 4 + 1) + 1, (y + 1) * (width * 4 + 1));
  }
  return { width, height, rgba };
}

const trayFile = (icon: string, template: boolean, retina: boolean) =>
  path.join(ICONS, 'tray', `${icon}${template ? 'Template' : ''}${retina ? '@2x' : ''}.png`);

describe('tray icons', () => {
  it('exist for every state at 16 and 32 px, coloured and as macOS templates', () => {
    for (const icon of ICON_NAMES) {
      for (const template of [false, true]) {
        for (const retina of [false, true]) {
          const { width, height } = decode(trayFile(icon, template, retina));
          expect([width, height]).toEqual(retina ? [32, 32] : [16, 16]);
        }
      }
    }
  });

  it('are black and alpha only in the template variants, which the menu bar tints', () => {
    for (const icon of ICON_NAMES) {
      const { rgba } = decode(trayFile(icon, true, true));
      for (let i = 0; i < rgba.length; i += 4) {
        if (rgba[i + 3]! > 0) expect([rgba[i], rgba[i + 1], rgba[i + 2]]).toEqual([0, 0, 0]);
      }
      expect(rgba.some((value, i) => i % 4 === 3 && value === 255)).toBe(true);
    }
  });

  it('look different from each other', () => {
    const pictures = ICON_NAMES.map((icon) => decode(trayFile(icon, true, true)).rgba.toString('base64'));
    expect(new Set(pictures).size).toBe(ICON_NAMES.length);
  });

  it('are what build/icons/designs.ts draws (regenerate with build/icons/generate.ts after a change)', () => {
    for (const icon of ICON_NAMES) {
      for (const template of [false, true]) {
        for (const retina of [false, true]) {
          const size = retina ? 32 : 16;
          const drawn = encodePng(size, size, render(size, TRAY_UNITS, trayLayers(icon, template)));
          expect(fs.readFileSync(trayFile(icon, template, retina)).equals(drawn)).toBe(true);
        }
      }
    }
  });
});

describe('app icons', () => {
  it('are a 1024 px source for the installers and a 256 px copy for the window and Linux notifications', () => {
    expect(decode(path.join(ICONS, '..', 'icon.png'))).toMatchObject({ width: 1024, height: 1024 });
    const small = decode(path.join(ICONS, 'app.png'));
    expect(small).toMatchObject({ width: 256, height: 256 });
    // Transparent corners around an opaque tile, as platform icon grids expect.
    expect(small.rgba[3]).toBe(0);
    expect(small.rgba[(128 * 256 + 128) * 4 + 3]).toBe(255);
  });
});
