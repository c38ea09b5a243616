import { useTranslation } from 'react-i18next';
import { BusiType, LineStatus } from '../../../src-shared/protocol';
import { useAppDispatch, useAppSelector } from '../../app/hooks';
import { BUSI_TYPE_LIST, BUSI_TYPES } from '../../registry/busiTypes';
import { filtersChanged } from './linesSlice';
import { selectLineFilters } from './selectors';

const STATUSES = LineStatus.options;

export function LineFilters() {
  const { t } = useTranslation();
  const dispatch = useAppDispatch();
  const filters = useAppSelector(selectLineFilters);
  return (
    <div className="line-filters">
      <select
        aria-label={t('busiType.all')}
        value={filters.busi_type ?? ''}
        onChange={(e) => dispatch(filtersChanged({ busi_type: BusiType.safeParse(e.target.value).data ?? null }))}
      >
        <option value="">{t('busiType.all')}</option>
        {BUSI_TYPE_LIST.map((b) => (
          <option key={b} value={b}>
            {t(BUSI_TYPES[b].labelKey)}
          </option>
        ))}
      </select>
      <select
        aria-label={t('status.all')}
        value={filters.status ?? ''}
        onChange={(e) => dispatch(filtersChanged({ status: LineStatus.safeParse(e.target.value).data ?? null }))}
      >
        <option value="">{t('status.all')}</option>
        {STATUSES.map((s) => (
          <option key={s} value={s}>
            {t(`status.${s}`)}
          </option>
        ))}
      </select>
      <label className="mine-toggle">
        <input
          type="checkbox"
          checked={filters.mine}
          onChange={(e) => dispatch(filtersChanged({ mine: e.target.checked }))}
        />
        {t('list.mine')}
      </label>
    </div>
  );
}
