import type { KeyboardEvent } from 'react';

/**
 * Keys of an open menu (WAI-ARIA menu pattern): arrows and Home/End move between its items, with
 * wrap-around; Escape closes it (the caller puts focus back on the button that opened it).
 */
export function menuKeyDown(e: KeyboardEvent<HTMLElement>, close: () => void): void {
  if (e.key === 'Escape') {
    e.preventDefault();
    e.stopPropagation();
    close();
    return;
  }
  const items = [...e.currentTarget.querySelectorAll<HTMLElement>('[role="menuitem"]')];
  if (items.length === 0) return;
  const at = items.indexOf(document.activeElement as HTMLElement);
  const next =
    e.key === 'ArrowDown'
      ? (at + 1) % items.length
      : e.key === 'ArrowUp'
        ? (at - 1 + items.length) % items.length
        : e.key === 'Home'
          ? 0
          : e.key === 'End'
            ? items.length - 1
            : null;
  if (next === null) return;
  e.preventDefault();
  items[next]!.focus();
}
