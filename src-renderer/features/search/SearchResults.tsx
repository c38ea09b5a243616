import { useTranslation } from 'react-i18next';
import { errorText } from '../../app/errorText';
import { useAppDispatch, useAppSelector } from '../../app/hooks';
import { formatListTime } from '../../format/intl';
import { useLocale } from '../../i18n/useLocale';
import { previewOf } from '../../registry/contentTypes';
import { selectNow } from '../clock/clockSlice';
import { hitText } from './hitText';
import { searchCleared, searchHitOpened, selectSearch } from './searchSlice';

/** Search hits in place of the list while a search is active; a hit opens its message in its line. */
export function SearchResults() {
  const { t } = useTranslation();
  const locale = useLocale();
  const dispatch = useAppDispatch();
  const search = useAppSelector(selectSearch);
  const now = useAppSelector(selectNow);
  return (
    <div className="search-results" aria-live="polite">
      <div className="search-head">
        <span>
          {search.phase === 'loading'
            ? t('app.loading')
            : search.phase === 'failed'
              ? t('search.failed', { message: search.error ? errorText(t, search.error) : '' })
              : search.hits.length === 0
                ? t('search.none')
                : t('search.results', { count: search.hits.length })}
        </span>
        <button type="button" className="link-button" onClick={() => dispatch(searchCleared())}>
          {t('search.close')}
        </button>
      </div>
      <ul>
        {search.hits.map((hit) => (
          <li key={hit.message.key}>
            <button type="button" className="search-hit" onClick={() => void dispatch(searchHitOpened(hit))}>
              <span className="hit-line">{hit.line?.customer_name ?? hit.message.line_id}</span>
              <time>{formatListTime(hit.message.ts, now, locale)}</time>
              <span className="hit-text">
                {hitText(previewOf(hit.message, t), hit.snippet, search.query).map((run, i) =>
                  run.match ? <mark key={i}>{run.text}</mark> : run.text,
                )}
              </span>
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}
