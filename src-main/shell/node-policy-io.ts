import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import type { PolicyIo } from './policy-sources';

/** The real PolicyIo: runs `reg`/`plutil` without a shell and reads files. */
export const nodePolicyIo: PolicyIo = {
  run: (file, args) =>
    new Promise((resolve, reject) => {
      execFile(file, [...args], { windowsHide: true, timeout: 10_000, encoding: 'utf8' }, (err, stdout) => {
        if (err && typeof err.code !== 'number') reject(new Error(err.message));
        else resolve({ code: err ? (err.code as number) : 0, stdout });
      });
    }),
  readText: async (path) => {
    try {
      return await readFile(path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  },
};
