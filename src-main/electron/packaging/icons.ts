import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { encodePng } from './png';

/**
 * Draws the app icon (a white speech bubble on a blue rounded square) and the tray states from
 * signed-distance shapes, 4×4 supersampled. Run `npx tsx src-main/electron/packaging/icons.ts`
 * to regenerate resources/icon.png, resources/icons/<n>x<n>.png and resources/tray/*.png.
 */
type Rgba = readonly [number, number, number, number];
/** A shape: coverage at a point in unit coordinates (0..1 across the icon); later layers paint over. */
type Layer = { inside: (x: number, y: number) => boolean; color: Rgba };

const BLUE: Rgba = [22, 119, 255, 255];
const WHITE: Rgba = [255, 255, 255, 255];
const GREY: Rgba = [128, 134, 145, 255];
const RED: Rgba = [232, 60, 60, 255];

const roundedRect = (x0: number, y0: number, x1: number, y1: number, r: number) => (x: number, y: number) => {
  const dx = Math.max(x0 + r - x, 0, x - (x1 - r));
  const dy = Math.max(y0 + r - y, 0, y - (y1 - r));
  return x >= x0 && x <= x1 && y >= y0 && y <= y1 && dx * dx + dy * dy <= r * r;
};
const circle = (cx: number, cy: number, r: number) => (x: number, y: number) => (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
const triangle = (ax: number, ay: number, bx: number, by: number, cx: number, cy: number) => (x: number, y: number) => {
  const s = (px: number, py: number, qx: number, qy: number) => (x - qx) * (py - qy) - (px - qx) * (y - qy);
  const d1 = s(ax, ay, bx, by);
  const d2 = s(bx, by, cx, cy);
  const d3 = s(cx, cy, ax, ay);
  return !((d1 < 0 || d2 < 0 || d3 < 0) && (d1 > 0 || d2 > 0 || d3 > 0));
};
const union =
  (...shapes: ((x: number, y: number) => boolean)[]) =>
  (x: number, y: number) =>
    shapes.some((s) => s(x, y));
const minus = (a: (x: number, y: number) => boolean, b: (x: number, y: number) => boolean) => (x: number, y: number) =>
  a(x, y) && !b(x, y);

function bubble(x0: number, y0: number, x1: number, y1: number): (x: number, y: number) => boolean {
  const h = y1 - y0;
  return union(
    roundedRect(x0, y0, x1, y1 - h * 0.22, h * 0.22),
    triangle(x0 + (x1 - x0) * 0.18, y1 - h * 0.3, x0 + (x1 - x0) * 0.42, y1 - h * 0.3, x0 + (x1 - x0) * 0.12, y1),
  );
}

function render(size: number, layers: Layer[]): Buffer {
  const px = new Uint8Array(size * size * 4);
  const ss = 4;
  for (let py = 0; py < size; py++) {
    for (let pxx = 0; pxx < size; pxx++) {
      let r = 0,
        g = 0,
        b = 0,
        a = 0;
      for (let sy = 0; sy < ss; sy++) {
        for (let sx = 0; sx < ss; sx++) {
          const x = (pxx + (sx + 0.5) / ss) / size;
          const y = (py + (sy + 0.5) / ss) / size;
          let c: Rgba = [0, 0, 0, 0];
          for (const layer of layers) if (layer.inside(x, y)) c = layer.color;
          r += c[0] * c[3];
          g += c[1] * c[3];
          b += c[2] * c[3];
          a += c[3];
        }
      }
      const i = (py * size + pxx) * 4;
      if (a > 0) {
        px[i] = Math.round(r / a);
        px[i + 1] = Math.round(g / a);
        px[i + 2] = Math.round(b / a);
      }
      px[i + 3] = Math.round(a / (ss * ss));
    }
  }
  return encodePng(size, size, px);
}

const appIcon: Layer[] = [
  { inside: roundedRect(0.04, 0.04, 0.96, 0.96, 0.2), color: BLUE },
  { inside: bubble(0.2, 0.24, 0.8, 0.8), color: WHITE },
  { inside: union(circle(0.37, 0.44, 0.045), circle(0.5, 0.44, 0.045), circle(0.63, 0.44, 0.045)), color: BLUE },
];

const trayBubble = bubble(0.06, 0.12, 0.94, 0.94);
export const TRAY_LAYERS: Record<'idle' | 'unread' | 'paused' | 'offline', Layer[]> = {
  idle: [{ inside: trayBubble, color: BLUE }],
  unread: [
    { inside: trayBubble, color: BLUE },
    { inside: circle(0.78, 0.24, 0.26), color: WHITE },
    { inside: circle(0.78, 0.24, 0.2), color: RED },
  ],
  paused: [
    { inside: trayBubble, color: GREY },
    {
      inside: union(roundedRect(0.34, 0.28, 0.44, 0.66, 0.02), roundedRect(0.56, 0.28, 0.66, 0.66, 0.02)),
      color: WHITE,
    },
  ],
  offline: [{ inside: minus(trayBubble, bubble(0.18, 0.24, 0.82, 0.8)), color: GREY }],
};

export function generateIcons(resourcesDir: string): string[] {
  const out: [string, Buffer][] = [[join(resourcesDir, 'icon.png'), render(512, appIcon)]];
  for (const n of [16, 32, 48, 64, 128, 256, 512])
    out.push([join(resourcesDir, 'icons', `${n}x${n}.png`), render(n, appIcon)]);
  for (const [state, layers] of Object.entries(TRAY_LAYERS)) {
    out.push([join(resourcesDir, 'tray', `${state}.png`), render(16, layers)]);
    out.push([join(resourcesDir, 'tray', `${state}@2x.png`), render(32, layers)]);
  }
  out.push([join(resourcesDir, 'tray', 'overlay.png'), render(16, [{ inside: circle(0.5, 0.5, 0.46), color: RED }])]);
  for (const [file, png] of out) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, png);
  }
  return out.map(([file]) => file);
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) {
  const files = generateIcons(join(import.meta.dirname, '..', '..', '..', 'resources'));
  console.log(`wrote ${files.length} icons`);
}
