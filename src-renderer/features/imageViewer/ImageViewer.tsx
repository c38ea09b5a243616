import { useEffect, useRef, useState, type MouseEvent, type RefObject } from 'react';
import { useTranslation } from 'react-i18next';
import { errorText } from '../../app/errorText';
import { bubbleVariant } from '../../registry/bubbles/ImageBubble';
import { resolveServerImage } from '../../registry/media';
import { useServerImage } from '../../registry/useServerImage';
import { closeImageViewer, useViewedImage, type ViewedImage } from './viewerStore';

/** Room left around the image for the close button and the backdrop people click to close. */
const FIT = { width: 0.92, height: 0.84 };

function viewport() {
  return { width: window.innerWidth, height: window.innerHeight };
}

/** The image's box fitted to the window (never enlarged), following resizes. */
function useFittedBox(width: number, height: number): { width: number; height: number } {
  const [size, setSize] = useState(viewport);
  useEffect(() => {
    const onResize = () => setSize(viewport());
    window.addEventListener('resize', onResize);
    return () => window.removeEventListener('resize', onResize);
  }, []);
  const scale = Math.min(1, (size.width * FIT.width) / width, (size.height * FIT.height) / height);
  return { width: Math.round(width * scale), height: Math.round(height * scale) };
}

/**
 * While the dialog is open no key reaches the page's own listeners (the conversation shortcuts,
 * the composer): they are stopped on the way down, at the window. Buttons still activate, since
 * that is the key's default action. Escape closes; Tab stays inside the dialog.
 */
function useModalKeys(dialog: RefObject<HTMLElement | null>): void {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      e.stopPropagation();
      const root = dialog.current;
      if (!root) return;
      if (e.key === 'Escape') {
        e.preventDefault();
        closeImageViewer();
        return;
      }
      const inside = e.target instanceof Node && root.contains(e.target);
      if (e.key !== 'Tab' && inside) return;
      e.preventDefault();
      const buttons = [...root.querySelectorAll<HTMLElement>('button:not(:disabled)')];
      if (e.key !== 'Tab' || buttons.length === 0) return root.focus();
      const at = buttons.indexOf(document.activeElement as HTMLElement);
      const next = at === -1 ? 0 : (at + (e.shiftKey ? buttons.length - 1 : 1)) % buttons.length;
      buttons[next]!.focus();
    };
    window.addEventListener('keydown', onKey, true);
    return () => window.removeEventListener('keydown', onKey, true);
  }, [dialog]);
}

function ViewerDialog({ image, opener }: ViewedImage) {
  const { t } = useTranslation();
  const dialog = useRef<HTMLDivElement>(null);
  const path = resolveServerImage(image.url);
  const full = useServerImage(path);
  // The bubble's thumbnail is most likely cached: shown, enlarged, until the full image is here.
  const previewVariant = bubbleVariant(image.mime);
  const preview = useServerImage(previewVariant === 'thumb' && full.status !== 'loaded' ? path : null, previewVariant);
  const box = useFittedBox(image.width, image.height);
  useModalKeys(dialog);

  useEffect(() => {
    dialog.current?.querySelector<HTMLElement>('.image-viewer-close')?.focus();
    return () => {
      if (opener?.isConnected) opener.focus();
    };
  }, [opener]);

  const retry = () => {
    // The Retry button is about to disappear: keep focus in the dialog, not on the page behind it.
    dialog.current?.focus();
    full.retry();
  };
  const onBackdrop = (e: MouseEvent) => {
    if (e.target === e.currentTarget) closeImageViewer();
  };
  const src = full.status === 'loaded' ? full.src : preview.status === 'loaded' ? preview.src : null;

  return (
    <div
      ref={dialog}
      className="overlay image-viewer"
      role="dialog"
      aria-modal="true"
      aria-label={t('imageViewer.title')}
      tabIndex={-1}
      onClick={onBackdrop}
    >
      <button type="button" className="image-viewer-close" onClick={closeImageViewer}>
        ✕ {t('imageViewer.close')}
      </button>
      <div
        className={`image-viewer-stage${full.status === 'loaded' ? '' : ' pending'}`}
        style={box}
        aria-busy={full.status === 'loading'}
      >
        {src ? <img src={src} alt="" referrerPolicy="no-referrer" width={box.width} height={box.height} /> : null}
        {full.status === 'loading' ? (
          <p className="image-viewer-note" role="status">
            {t('imageViewer.loading')}
          </p>
        ) : null}
        {full.status === 'failed' ? (
          <div className="image-viewer-note" role="alert">
            <p>{t('imageViewer.failed', { reason: errorText(t, full) })}</p>
            <button type="button" onClick={retry}>
              {t('imageViewer.retry')}
            </button>
          </div>
        ) : null}
      </div>
    </div>
  );
}

/** The full-size image viewer, one for the workspace; a bubble opens it with `openImageViewer`. */
export function ImageViewer() {
  const viewed = useViewedImage();
  // Signing out unmounts the workspace: a viewer left open must not greet the next session.
  useEffect(() => closeImageViewer, []);
  if (!viewed) return null;
  return <ViewerDialog key={viewed.image.url} {...viewed} />;
}
