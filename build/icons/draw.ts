// The icons, drawn from signed distance functions in a design grid and supersampled: crisp at 16 px, smooth
// at 1024 px, reproducible from this file alone. Tray glyphs use a 16-unit grid, the app icon a 1024 one.

/** Negative inside the shape, positive outside, in design units. */
export type Shape = (x: number, y: number) => number;
export type Rgba = readonly [number, number, number, number];
export type Paint = Rgba | ((x: number, y: number) => Rgba);

export interface Layer {
  shape: Shape;
  /** A paint is laid over what is below; `erase` cuts the shape out of it. */
  paint: Paint | 'erase';
}

export function roundedBox(x0: number, y0: number, x1: number, y1: number, radius: number): Shape {
  const cx = (x0 + x1) / 2;
  const cy = (y0 + y1) / 2;
  const hw = (x1 - x0) / 2 - radius;
  const hh = (y1 - y0) / 2 - radius;
  return (x, y) => {
    const qx = Math.abs(x - cx) - hw;
    const qy = Math.abs(y - cy) - hh;
    return Math.hypot(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0) - radius;
  };
}

export function circle(cx: number, cy: number, r: number): Shape {
  return (x, y) => Math.hypot(x - cx, y - cy) - r;
}

/** A stroked polyline with round caps and joins. */
export function polyline(points: readonly (readonly [number, number])[], width: number): Shape {
  return (x, y) => {
    let best = Number.POSITIVE_INFINITY;
    for (let i = 1; i < points.length; i++) {
      const [ax, ay] = points[i - 1]!;
      const [bx, by] = points[i]!;
      const dx = bx - ax;
      const dy = by - ay;
      const t = Math.max(0, Math.min(1, ((x - ax) * dx + (y - ay) * dy) / (dx * dx + dy * dy)));
      best = Math.min(best, Math.hypot(x - ax - t * dx, y - ay - t * dy));
    }
    return best - width / 2;
  };
}

/** The outline of a shape, `width` wide, centred on its edge. */
export function outline(shape: Shape, width: number): Shape {
  return (x, y) => Math.abs(shape(x, y)) - width / 2;
}

export function union(...shapes: Shape[]): Shape {
  return (x, y) => Math.min(...shapes.map((shape) => shape(x, y)));
}

/** Renders layers into `pixels` x `pixels` RGBA; `units` design units span the image. */
export function render(pixels: number, units: number, layers: readonly Layer[], samples = 5): Uint8Array {
  const out = new Uint8Array(pixels * pixels * 4);
  const scale = units / pixels;
  const n = samples * samples;
  for (let py = 0; py < pixels; py++) {
    for (let px = 0; px < pixels; px++) {
      // Premultiplied accumulation, so erasing and layering compose without fringes.
      let [r, g, b, a] = [0, 0, 0, 0];
      for (const layer of layers) {
        let covered = 0;
        for (let sy = 0; sy < samples; sy++) {
          for (let sx = 0; sx < samples; sx++) {
            if (layer.shape((px + (sx + 0.5) / samples) * scale, (py + (sy + 0.5) / samples) * scale) <= 0) covered++;
          }
        }
        if (covered === 0) continue;
        const coverage = covered / n;
        if (layer.paint === 'erase') {
          [r, g, b, a] = [r, g, b, a].map((c) => c * (1 - coverage)) as [number, number, number, number];
          continue;
        }
        const [cr, cg, cb, ca] = typeof layer.paint === 'function' ? layer.paint((px + 0.5) * scale, (py + 0.5) * scale) : layer.paint;
        const alpha = (ca / 255) * coverage;
        r = cr * alpha + r * (1 - alpha);
        g = cg * alpha + g * (1 - alpha);
        b = cb * alpha + b * (1 - alpha);
        a = alpha + a * (1 - alpha);
      }
      const i = (py * pixels + px) * 4;
      out[i] = a > 0 ? Math.round(r / a) : 0;
      out[i + 1] = a > 0 ? Math.round(g / a) : 0;
      out[i + 2] = a > 0 ? Math.round(b / a) : 0;
      out[i + 3] = Math.round(a * 255);
    }
  }
  return out;
}
