import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { crc32, encodePng } from '../../src-main/electron/packaging/png';
import { rotateLogFile, rotationPlan } from '../../src-main/shell/log-rotation';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'mim-pack-'));
  dirs.push(d);
  return d;
};

describe('PNG encoder for the generated icons', () => {
  it('writes a valid PNG: signature, IHDR, CRCs, and pixels that decode back', () => {
    const px = new Uint8Array([255, 0, 0, 255, 0, 255, 0, 128, 0, 0, 255, 0, 9, 9, 9, 9]);
    const png = encodePng(2, 2, px);
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(png.readUInt32BE(16)).toBe(2);
    expect(png.readUInt32BE(20)).toBe(2);
    let offset = 8;
    const idat: Buffer[] = [];
    while (offset < png.length) {
      const length = png.readUInt32BE(offset);
      const typeAndData = png.subarray(offset + 4, offset + 8 + length);
      expect(png.readUInt32BE(offset + 8 + length)).toBe(crc32(typeAndData));
      if (typeAndData.subarray(0, 4).toString() === 'IDAT') idat.push(typeAndData.subarray(4));
      offset += 12 + length;
    }
    const raw = inflateSync(Buffer.concat(idat));
    expect([...raw]).toEqual([0, ...px.subarray(0, 8), 0, ...px.subarray(8)]);
    expect(crc32(Buffer.from('IEND'))).toBe(0xae426082);
    expect(() => encodePng(3, 3, px)).toThrow();
  });

  it('has the committed icons in place', () => {
    const resources = join(import.meta.dirname, '..', '..', 'resources');
    for (const f of ['icon.png', 'icons/256x256.png', 'tray/idle.png', 'tray/unread@2x.png', 'tray/overlay.png'])
      expect(existsSync(join(resources, f)), f).toBe(true);
  });
});

describe('log rotation', () => {
  it('plans main.log → main.1.log … dropping the oldest', () => {
    expect(rotationPlan('/l/main.log', 3)).toEqual({
      drop: '/l/main.3.log',
      moves: [
        ['/l/main.2.log', '/l/main.3.log'],
        ['/l/main.1.log', '/l/main.2.log'],
        ['/l/main.log', '/l/main.1.log'],
      ],
    });
  });

  it('rotates real files, keeping at most N old ones', () => {
    const dir = tempDir();
    const current = join(dir, 'main.log');
    for (let i = 1; i <= 4; i++) {
      writeFileSync(current, `generation ${i}`);
      rotateLogFile(current, 3);
    }
    expect(existsSync(current)).toBe(false);
    expect(readFileSync(join(dir, 'main.1.log'), 'utf8')).toBe('generation 4');
    expect(readFileSync(join(dir, 'main.3.log'), 'utf8')).toBe('generation 2');
    expect(existsSync(join(dir, 'main.4.log'))).toBe(false);
  });
});
