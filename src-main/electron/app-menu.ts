import type { MenuItemConstructorOptions } from 'electron';

export interface AppMenuActions {
  copyDiagnostics: () => void;
  openLogFolder: () => void;
  quit: () => void;
}

/**
 * The application menu: edit commands (so copy and paste work on macOS), help with "copy
 * diagnostics" for support, and developer tools only in development builds.
 */
export function appMenuTemplate(
  platform: NodeJS.Platform,
  devTools: boolean,
  actions: AppMenuActions,
): MenuItemConstructorOptions[] {
  const help: MenuItemConstructorOptions = {
    role: 'help',
    submenu: [
      { id: 'copy-diagnostics', label: 'Copy Diagnostics', click: actions.copyDiagnostics },
      { id: 'open-logs', label: 'Open Log Folder', click: actions.openLogFolder },
    ],
  };
  const view: MenuItemConstructorOptions[] = devTools
    ? [{ label: 'View', submenu: [{ role: 'reload' }, { role: 'toggleDevTools' }] }]
    : [];
  if (platform === 'darwin') return [{ role: 'appMenu' }, { role: 'editMenu' }, ...view, { role: 'windowMenu' }, help];
  return [
    { label: 'File', submenu: [{ id: 'quit', label: 'Quit', accelerator: 'Ctrl+Q', click: actions.quit }] },
    { role: 'editMenu' },
    ...view,
    help,
  ];
}
