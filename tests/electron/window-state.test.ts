import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { JsonFile } from '../../src-main/shell/json-file';
import {
  DEFAULT_WINDOW_SIZE,
  MIN_WINDOW_SIZE,
  parseSavedWindow,
  restoreWindow,
  windowToSave,
  type Rect,
} from '../../src-main/shell/window-bounds';

const primary: Rect = { x: 0, y: 0, width: 1920, height: 1040 };
const right: Rect = { x: 1920, y: 0, width: 2560, height: 1400 };

describe('window bounds', () => {
  it('reopens where it was when that place is still on a display', () => {
    const saved = { x: 2100, y: 100, width: 1300, height: 900, maximized: false, fullscreen: false };
    expect(restoreWindow(saved, [primary, right], primary)).toEqual(saved);
  });

  it('moves back to the primary display when the monitor it was on is gone', () => {
    const saved = { x: 2100, y: 100, width: 1300, height: 900, maximized: true, fullscreen: true };
    const restored = restoreWindow(saved, [primary], primary);
    expect(restored).toEqual({ x: 310, y: 70, width: 1300, height: 900, maximized: true, fullscreen: false });
  });

  it('treats a window whose title bar is off screen as lost', () => {
    const saved = { x: 100, y: -500, width: 1000, height: 700, maximized: false, fullscreen: false };
    expect(restoreWindow(saved, [primary], primary).y).toBeGreaterThanOrEqual(0);
    const barelyVisible = { x: 1900, y: 10, width: 1000, height: 700, maximized: false, fullscreen: false };
    expect(restoreWindow(barelyVisible, [primary], primary).x).toBe(460);
  });

  it('shrinks a saved size that no longer fits and enforces the minimum', () => {
    const small: Rect = { x: 0, y: 0, width: 1280, height: 720 };
    const saved = { x: 5000, y: 0, width: 2400, height: 1300, maximized: false, fullscreen: false };
    expect(restoreWindow(saved, [small], small)).toMatchObject({ x: 0, y: 0, width: 1280, height: 720 });
    const tiny = { x: 10, y: 10, width: 200, height: 100, maximized: false, fullscreen: false };
    expect(restoreWindow(tiny, [primary], primary)).toMatchObject({
      width: MIN_WINDOW_SIZE.width,
      height: MIN_WINDOW_SIZE.height,
    });
  });

  it('opens at the default size, centred, the first time', () => {
    expect(restoreWindow(null, [primary], primary)).toEqual({
      x: (1920 - DEFAULT_WINDOW_SIZE.width) / 2,
      y: (1040 - DEFAULT_WINDOW_SIZE.height) / 2,
      ...DEFAULT_WINDOW_SIZE,
      maximized: false,
      fullscreen: false,
    });
  });

  it('ignores damaged saved state', () => {
    expect(parseSavedWindow(undefined)).toBeNull();
    expect(parseSavedWindow({ x: 1, y: 2, width: -5, height: 10, maximized: false, fullscreen: false })).toBeNull();
    expect(parseSavedWindow({ x: '1' })).toBeNull();
  });
});

describe('window state file', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('persists and reloads what was saved, surviving a damaged file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mim-window-'));
    dirs.push(dir);
    const file = new JsonFile(join(dir, 'nested', 'window-state.json'));
    expect(parseSavedWindow(file.read())).toBeNull();

    const saved = windowToSave({ x: 10.4, y: 20.6, width: 1000, height: 700 }, true, false);
    file.write(saved);
    expect(parseSavedWindow(new JsonFile(file.path).read())).toEqual({
      x: 10,
      y: 21,
      width: 1000,
      height: 700,
      maximized: true,
      fullscreen: false,
    });
    expect(JSON.parse(readFileSync(file.path, 'utf8'))).toEqual(saved);

    writeFileSync(file.path, '{"x": 1, "y"');
    expect(parseSavedWindow(file.read())).toBeNull();
  });
});
