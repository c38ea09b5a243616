import { spawn } from 'node:child_process';

/** Opens an http(s) link in the user's browser (Electron: shell.openExternal). */
export interface LinkOpener {
  open(url: string): Promise<void>;
}

/** Only web links leave the app; anything else (file:, javascript:, custom schemes) is refused. */
export function isOpenableUrl(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === 'https:' || u.protocol === 'http:';
  } catch {
    return false;
  }
}

export class SystemLinkOpener implements LinkOpener {
  constructor(private readonly platform: NodeJS.Platform = process.platform) {}

  open(url: string): Promise<void> {
    const [cmd, args] =
      this.platform === 'darwin'
        ? ['open', [url]]
        : this.platform === 'win32'
          ? ['cmd', ['/c', 'start', '""', url]]
          : ['xdg-open', [url]];
    return new Promise((resolve, reject) => {
      const child = spawn(cmd, args, { detached: true, stdio: 'ignore' });
      child.once('error', reject);
      child.once('spawn', () => {
        child.unref();
        resolve();
      });
    });
  }
}

/** Test double. */
export class RecordingLinkOpener implements LinkOpener {
  readonly opened: string[] = [];
  open(url: string): Promise<void> {
    this.opened.push(url);
    return Promise.resolve();
  }
}
