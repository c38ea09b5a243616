import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { I18nextProvider } from 'react-i18next';
import { Provider } from 'react-redux';
import { resolveApi } from './api/resolveApi';
import { App } from './app/App';
import { connectBus } from './app/bus';
import { makeStore, type AppStore } from './app/store';
import { bridgeStateChanged } from './features/connection/connectionSlice';
import { createI18n, guessLanguage } from './i18n';
import './styles.css';

const i18n = createI18n(guessLanguage(navigator.languages));
const root = createRoot(document.getElementById('root')!);

let store: AppStore | undefined;
const api = resolveApi((state) => store?.dispatch(bridgeStateChanged(state)));

if (!api) {
  root.render(<p className="fatal">{i18n.t('app.noBridge')}</p>);
} else {
  const now = () => Date.now();
  store = makeStore({ api, now });
  connectBus(api, store.dispatch, now);
  root.render(
    <StrictMode>
      <Provider store={store}>
        <I18nextProvider i18n={i18n}>
          <App />
        </I18nextProvider>
      </Provider>
    </StrictMode>,
  );
}
