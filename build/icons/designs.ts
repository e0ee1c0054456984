// What the icons look like. Tray: an envelope on a 16-unit grid, filled when live, hollow while connecting,
// struck through when offline, badged when it needs a key or notifications are paused. macOS template variants
// are the same shapes in black and alpha (the menu bar tints them); the others are coloured so the state reads
// on light and dark taskbars alike. App icon: a white envelope on a blue tile with a green "live" dot.
import type { IconName } from '../../electron/tray-presenter.ts';
import { circle, outline, polyline, roundedBox, union, type Layer, type Paint, type Rgba } from './draw.ts';

export const TRAY_UNITS = 16;
export const APP_UNITS = 1024;

const BLACK: Rgba = [0, 0, 0, 255];
const WHITE: Rgba = [255, 255, 255, 255];
const COLOURS = {
  blue: [59, 130, 246, 255],
  amber: [245, 158, 11, 255],
  slate: [148, 163, 184, 255],
  red: [239, 68, 68, 255],
  violet: [139, 92, 246, 255],
} as const satisfies Record<string, Rgba>;

const body = roundedBox(1.5, 3, 14.5, 13, 1.6);
const flap = polyline([[2.3, 4.3], [8, 8.7], [13.7, 4.3]], 1.3);
const BADGE_X = 12.2;
const BADGE_Y = 12.2;

function filledEnvelope(paint: Paint): Layer[] {
  return [{ shape: body, paint }, { shape: flap, paint: 'erase' }];
}

function hollowEnvelope(paint: Paint): Layer[] {
  return [{ shape: union(outline(body, 1.3), polyline([[2.3, 4.3], [8, 8.7], [13.7, 4.3]], 1.2)), paint }];
}

/** A disc in the lower right corner, set apart from the envelope by a gap, with a symbol in it. */
function badge(disc: Paint, symbol: Layer['shape'], symbolPaint: Paint | 'erase'): Layer[] {
  return [
    { shape: circle(BADGE_X, BADGE_Y, 4.4), paint: 'erase' },
    { shape: circle(BADGE_X, BADGE_Y, 3.4), paint: disc },
    { shape: symbol, paint: symbolPaint },
  ];
}

const exclamation = union(polyline([[BADGE_X, 10.4], [BADGE_X, 12.5]], 1.25), circle(BADGE_X, 14.1, 0.7));
const pauseBars = union(polyline([[11.1, 10.7], [11.1, 13.7]], 1.15), polyline([[13.3, 10.7], [13.3, 13.7]], 1.15));
const SLASH = [[2.2, 1.6], [14.4, 14.6]] as const;

export function trayLayers(icon: IconName, template: boolean): Layer[] {
  const ink = (colour: Rgba): Rgba => (template ? BLACK : colour);
  // In a template image a symbol can only be a hole; in colour it is white on the badge.
  const symbolPaint = template ? 'erase' : WHITE;
  switch (icon) {
    case 'live':
      return filledEnvelope(ink(COLOURS.blue));
    case 'connecting':
      return hollowEnvelope(ink(COLOURS.amber));
    case 'offline':
      // The gap cut around the slash keeps it readable where it crosses the envelope.
      return [...hollowEnvelope(ink(COLOURS.slate)), { shape: polyline(SLASH, 3.3), paint: 'erase' }, { shape: polyline(SLASH, 1.3), paint: ink(COLOURS.slate) }];
    case 'needs_key':
      return [...filledEnvelope(ink(COLOURS.slate)), ...badge(ink(COLOURS.red), exclamation, symbolPaint)];
    case 'paused':
      return [...filledEnvelope(ink(COLOURS.blue)), ...badge(ink(COLOURS.violet), pauseBars, symbolPaint)];
  }
}

const TILE_TOP: Rgba = [91, 140, 255, 255];
const TILE_BOTTOM: Rgba = [58, 79, 216, 255];

function tileGradient(_x: number, y: number): Rgba {
  const t = Math.min(1, Math.max(0, (y - 100) / 824));
  return TILE_TOP.map((c, i) => Math.round(c + (TILE_BOTTOM[i]! - c) * t)) as unknown as Rgba;
}

export function appIconLayers(): Layer[] {
  // The tile leaves macOS's icon-grid margin (824 of 1024); a stacked translucent shadow stands in for a blur.
  const shadow: Layer[] = [0, 1, 2, 3, 4, 5].map((k) => ({
    shape: roundedBox(262 - k * 7, 352 - k * 7, 762 + k * 7, 716 + k * 7, 56 + k * 7),
    paint: [15, 23, 80, 12] as Rgba,
  }));
  return [
    { shape: roundedBox(100, 100, 924, 924, 185), paint: tileGradient },
    ...shadow,
    { shape: roundedBox(262, 330, 762, 694, 56), paint: WHITE },
    { shape: polyline([[306, 376], [512, 540], [718, 376]], 40), paint: tileGradient },
    { shape: circle(752, 334, 96), paint: WHITE },
    { shape: circle(752, 334, 68), paint: [34, 197, 94, 255] },
  ];
}
