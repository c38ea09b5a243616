import { useEffect } from 'react';
import { useAppDispatch } from '../../app/hooks';
import { SEARCH_INPUT_ID } from '../search/SearchBox';
import { viewChosen } from '../workspace/workspaceSlice';
import { shortcutPressed } from './commands';
import { shortcutFor } from './keymap';

export const isMac = () => /Mac|iPhone|iPad/.test(navigator.platform);

function inTextField(target: EventTarget | null): boolean {
  return (
    target instanceof HTMLElement &&
    (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName))
  );
}

/** Global keyboard shortcuts for the workspace, for as long as it is mounted. */
export function useShortcuts(): void {
  const dispatch = useAppDispatch();
  useEffect(() => {
    const mac = isMac();
    const onKey = (e: KeyboardEvent) => {
      const shortcut = shortcutFor(e, inTextField(e.target), mac);
      if (!shortcut) return;
      e.preventDefault();
      if (shortcut.id === 'focusSearch') {
        dispatch(viewChosen('inbox'));
        // The search box exists once the inbox has rendered.
        requestAnimationFrame(() => document.getElementById(SEARCH_INPUT_ID)?.focus());
        return;
      }
      void dispatch(shortcutPressed(shortcut.id));
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [dispatch]);
}
