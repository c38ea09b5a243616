import i18next, { type i18n } from 'i18next';
import { initReactI18next } from 'react-i18next';
import type { Settings } from '../../src-shared/ipc';
import { en } from './en';
import { zhCN } from './zh-CN';

export type Language = Settings['language'];
export const LANGUAGES: readonly Language[] = ['en', 'zh-CN'];

/**
 * One i18next instance per renderer (and per test), so tests never share language state.
 * Message text from people is never passed through i18next: escaping is off only because React
 * already renders every string as text.
 */
export function createI18n(language: Language): i18n {
  const instance = i18next.createInstance();
  void instance.use(initReactI18next).init({
    lng: language,
    fallbackLng: 'en',
    resources: { en: { translation: en }, 'zh-CN': { translation: zhCN } },
    interpolation: { escapeValue: false },
    initAsync: false,
    returnNull: false,
  });
  return instance;
}

/** Best guess before settings load: the browser's language if we have it. */
export function guessLanguage(navigatorLanguages: readonly string[]): Language {
  return navigatorLanguages.some((l) => l.toLowerCase().startsWith('zh')) ? 'zh-CN' : 'en';
}
