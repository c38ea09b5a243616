import { z } from 'zod';

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** What is remembered of the main window between runs. */
export const SavedWindow = z.object({
  x: z.number().int(),
  y: z.number().int(),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  maximized: z.boolean(),
  fullscreen: z.boolean(),
});
export type SavedWindow = z.infer<typeof SavedWindow>;

export const DEFAULT_WINDOW_SIZE = { width: 1200, height: 800 } as const;
export const MIN_WINDOW_SIZE = { width: 800, height: 560 } as const;
/** A restored window must show at least this much of itself (its title bar) on some display. */
const MIN_VISIBLE = { width: 120, height: 48 } as const;

/** Stored JSON from an older or damaged file is ignored rather than trusted. */
export function parseSavedWindow(raw: unknown): SavedWindow | null {
  const parsed = SavedWindow.safeParse(raw);
  return parsed.success ? parsed.data : null;
}

/**
 * Where to open the window: the saved bounds when their top edge is still reachable on one of the
 * current displays (monitors get unplugged, resolutions change); otherwise the saved size, shrunk
 * to fit, centred on the primary display.
 */
export function restoreWindow(saved: SavedWindow | null, workAreas: readonly Rect[], primary: Rect): SavedWindow {
  if (saved) {
    const size = {
      width: Math.max(saved.width, MIN_WINDOW_SIZE.width),
      height: Math.max(saved.height, MIN_WINDOW_SIZE.height),
    };
    const titleBar: Rect = { x: saved.x, y: saved.y, width: size.width, height: MIN_VISIBLE.height };
    const reachable = workAreas.some((area) => {
      const overlap = intersect(titleBar, area);
      return overlap !== null && overlap.width >= MIN_VISIBLE.width && overlap.height >= MIN_VISIBLE.height;
    });
    if (reachable) return { ...saved, ...size };
    return { ...centred(size, primary), maximized: saved.maximized, fullscreen: false };
  }
  return { ...centred(DEFAULT_WINDOW_SIZE, primary), maximized: false, fullscreen: false };
}

/** What to save: the normal (restored) bounds, so un-maximising next run returns to them. */
export function windowToSave(normalBounds: Rect, maximized: boolean, fullscreen: boolean): SavedWindow {
  return {
    x: Math.round(normalBounds.x),
    y: Math.round(normalBounds.y),
    width: Math.max(1, Math.round(normalBounds.width)),
    height: Math.max(1, Math.round(normalBounds.height)),
    maximized,
    fullscreen,
  };
}

function centred(size: { width: number; height: number }, area: Rect): Rect {
  const width = Math.min(size.width, area.width);
  const height = Math.min(size.height, area.height);
  return {
    x: Math.round(area.x + (area.width - width) / 2),
    y: Math.round(area.y + (area.height - height) / 2),
    width,
    height,
  };
}

function intersect(a: Rect, b: Rect): Rect | null {
  const x = Math.max(a.x, b.x);
  const y = Math.max(a.y, b.y);
  const right = Math.min(a.x + a.width, b.x + b.width);
  const bottom = Math.min(a.y + a.height, b.y + b.height);
  return right > x && bottom > y ? { x, y, width: right - x, height: bottom - y } : null;
}
