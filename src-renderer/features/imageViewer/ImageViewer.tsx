import { useEffect, useRef, useState, type MouseEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { errorText } from '../../app/errorText';
import { useModalFocus } from '../../app/useModalFocus';
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

function ViewerDialog({ image, opener }: ViewedImage) {
  const { t } = useTranslation();
  const dialog = useRef<HTMLDivElement>(null);
  const path = resolveServerImage(image.url);
  const full = useServerImage(path);
  // The bubble's thumbnail is most likely cached: shown, enlarged, until the full image is here.
  const previewVariant = bubbleVariant(image.mime);
  const preview = useServerImage(previewVariant === 'thumb' && full.status !== 'loaded' ? path : null, previewVariant);
  const box = useFittedBox(image.width, image.height);
  useModalFocus(dialog, { close: closeImageViewer, opener });

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
      <div className="image-viewer-actions">
        {full.status === 'loaded' ? (
          // The full image is already here as a blob: saving it needs no second download (Electron
          // shows its save dialog for a `download` link, a browser its download bar).
          <a className="button" href={full.src} download={downloadName(image.url)}>
            ⤓ {t('imageViewer.save')}
          </a>
        ) : null}
        <button type="button" className="image-viewer-close" onClick={closeImageViewer}>
          ✕ {t('imageViewer.close')}
        </button>
      </div>
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

/** A file name for a saved image: the content hash is meaningless to people, the date is not. */
function downloadName(url: string): string {
  const ext = /\.(png|jpg|webp|gif)$/.exec(url)?.[1] ?? 'jpg';
  return `image-${new Date().toISOString().slice(0, 10)}.${ext}`;
}

/** The full-size image viewer, one for the workspace; a bubble opens it with `openImageViewer`. */
export function ImageViewer() {
  const viewed = useViewedImage();
  // Signing out unmounts the workspace: a viewer left open must not greet the next session.
  useEffect(() => closeImageViewer, []);
  if (!viewed) return null;
  return <ViewerDialog key={viewed.image.url} {...viewed} />;
}
