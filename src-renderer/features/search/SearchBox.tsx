import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useAppDispatch } from '../../app/hooks';
import { searchCleared, searchSubmitted } from './searchSlice';

export const SEARCH_INPUT_ID = 'search-input';

export function SearchBox() {
  const { t } = useTranslation();
  const dispatch = useAppDispatch();
  const [text, setText] = useState('');
  return (
    <form
      className="search-box"
      role="search"
      onSubmit={(e) => {
        e.preventDefault();
        const query = text.trim();
        if (query) void dispatch(searchSubmitted(query));
        else dispatch(searchCleared());
      }}
    >
      <input
        id={SEARCH_INPUT_ID}
        type="search"
        value={text}
        placeholder={t('search.placeholder')}
        aria-label={t('search.placeholder')}
        maxLength={200}
        onChange={(e) => {
          setText(e.target.value);
          if (!e.target.value) dispatch(searchCleared());
        }}
        onKeyDown={(e) => {
          if (e.key === 'Escape') {
            setText('');
            dispatch(searchCleared());
          }
        }}
      />
    </form>
  );
}
