import { renameSync, rmSync } from 'node:fs';
import { parse, join } from 'node:path';

/** Rotated log files kept besides the current one: main.1.log (newest) … main.5.log (oldest). */
export const KEPT_LOG_FILES = 5;
/** Size at which the current log file is rotated. */
export const MAX_LOG_BYTES = 5 * 1024 * 1024;

/** Renames, oldest first, that shift `main.log` to `main.1.log` and drop the oldest. */
export function rotationPlan(
  current: string,
  keep = KEPT_LOG_FILES,
): { drop: string; moves: [from: string, to: string][] } {
  const { dir, name, ext } = parse(current);
  const numbered = (n: number): string => join(dir, `${name}.${n}${ext}`);
  const moves: [string, string][] = [];
  for (let n = keep - 1; n >= 1; n--) moves.push([numbered(n), numbered(n + 1)]);
  moves.push([current, numbered(1)]);
  return { drop: numbered(keep), moves };
}

/** Carries out a rotation; missing files in the middle (fresh install) are fine. */
export function rotateLogFile(current: string, keep = KEPT_LOG_FILES): void {
  const plan = rotationPlan(current, keep);
  rmSync(plan.drop, { force: true });
  for (const [from, to] of plan.moves) {
    try {
      renameSync(from, to);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
}
