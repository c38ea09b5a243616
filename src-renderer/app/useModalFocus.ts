import { useEffect, useRef, type RefObject } from 'react';
import { COMPOSER_ID } from '../features/conversation/Composer';

const TABBABLE = [
  'button:not(:disabled)',
  'a[href]',
  'input:not(:disabled)',
  'select:not(:disabled)',
  'textarea:not(:disabled)',
  '[tabindex]:not([tabindex="-1"])',
].join(', ');

/**
 * Where focus goes when the element that opened a dialog has left the page (the virtualised
 * history unmounted its row, or another line was opened), best first: the open conversation's
 * messages, its composer, the line list. Anywhere is better than <body>, where a keyboard or
 * screen-reader user has to start again from the top of the window.
 */
const FOCUS_HOMES = ['[role="log"]', `#${COMPOSER_ID}`, '.line-list'];

function focusHome(): void {
  for (const selector of FOCUS_HOMES) {
    const home = document.querySelector<HTMLElement>(selector);
    if (!home) continue;
    // The message log scrolls but is not a Tab stop; it can still take focus, and then the arrows scroll it.
    if (!home.hasAttribute('tabindex') && home.tabIndex < 0) home.tabIndex = -1;
    home.focus();
    return;
  }
}

/** Focus back where it was before a dialog opened, or somewhere sensible if that is gone. */
export function restoreFocus(back: HTMLElement | null): void {
  if (back?.isConnected && back !== document.body) back.focus();
  else focusHome();
}

/** The next control Tab (or Shift+Tab) reaches inside `root`, wrapping round. */
function nextTabStop(root: HTMLElement, backwards: boolean): HTMLElement {
  const stops = [...root.querySelectorAll<HTMLElement>(TABBABLE)];
  if (stops.length === 0) return root;
  const at = stops.indexOf(document.activeElement as HTMLElement);
  if (at === -1) return backwards ? stops[stops.length - 1]! : stops[0]!;
  return stops[(at + (backwards ? stops.length - 1 : 1)) % stops.length]!;
}

export interface ModalFocusOptions {
  close: () => void;
  /** Where focus returns on close; by default whatever had focus when the dialog opened. */
  opener?: HTMLElement | null;
  /** Keys besides Escape that close the dialog (the shortcut that opened it, say). */
  closesOn?: (e: KeyboardEvent) => boolean;
}

/**
 * A modal dialog's focus (WAI-ARIA dialog pattern). On open focus moves to its first control;
 * Tab and Shift+Tab cycle inside it; Escape closes; on close focus goes back to the opener.
 * While it is open no key reaches the page's own listeners (the conversation shortcuts, the
 * composer): they are stopped on the way down, at the window. Buttons still activate, since that
 * is the key's default action. `dialog` should have tabIndex -1, to hold focus when it has no control.
 */
export function useModalFocus(dialog: RefObject<HTMLElement | null>, options: ModalFocusOptions): void {
  const latest = useRef(options);
  useEffect(() => {
    latest.current = options;
  });

  const { opener } = options;
  useEffect(() => {
    const back = opener ?? (document.activeElement as HTMLElement | null);
    const root = dialog.current;
    if (root) nextTabStop(root, false).focus();
    return () => restoreFocus(back);
  }, [dialog, opener]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      e.stopPropagation();
      const root = dialog.current;
      if (!root) return;
      const { close, closesOn } = latest.current;
      if (e.key === 'Escape' || closesOn?.(e)) {
        e.preventDefault();
        close();
        return;
      }
      const inside = e.target instanceof Node && root.contains(e.target);
      if (e.key !== 'Tab' && inside) return;
      e.preventDefault();
      if (e.key === 'Tab') nextTabStop(root, e.shiftKey).focus();
      else root.focus();
    };
    window.addEventListener('keydown', onKey, true);
    return () => window.removeEventListener('keydown', onKey, true);
  }, [dialog]);
}
