import { useSyncExternalStore } from 'react';
import type { z } from 'zod';
import type { ImageContent } from '../../../src-shared/protocol';

export interface ViewedImage {
  image: z.infer<typeof ImageContent>;
  /** Where focus goes back when the viewer closes: the bubble that opened it. */
  opener: HTMLElement | null;
}

/*
 * Outside Redux on purpose: an element to refocus is not state, and the viewer must outlive the
 * bubble that opened it (the virtualised history unmounts rows that scroll away).
 */
let viewed: ViewedImage | null = null;
const listeners = new Set<() => void>();

function set(next: ViewedImage | null): void {
  viewed = next;
  for (const listener of listeners) listener();
}

export function openImageViewer(image: ViewedImage['image'], opener: HTMLElement | null): void {
  set({ image, opener });
}

export function closeImageViewer(): void {
  set(null);
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function useViewedImage(): ViewedImage | null {
  return useSyncExternalStore(subscribe, () => viewed);
}
