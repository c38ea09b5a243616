import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useAppDispatch, useAppSelector } from '../../app/hooks';
import { selectSession, selectSessionError, selectSigningIn, signInSubmitted } from './sessionSlice';
import { signInErrorText } from './signInError';

export function SignIn() {
  const { t } = useTranslation();
  const dispatch = useAppDispatch();
  const session = useAppSelector(selectSession);
  const busy = useAppSelector(selectSigningIn);
  const error = useAppSelector(selectSessionError);
  const locked = session?.server_url_locked ?? false;
  const [serverUrl, setServerUrl] = useState(session?.server_url ?? '');
  const [account, setAccount] = useState('');
  const [password, setPassword] = useState('');
  const message = error ? signInErrorText(error) : null;
  return (
    <main className="sign-in">
      <form
        className="sign-in-form"
        onSubmit={(e) => {
          e.preventDefault();
          void dispatch(
            signInSubmitted({
              server_url: (locked ? session?.server_url : serverUrl)?.trim() ?? '',
              account: account.trim(),
              password,
            }),
          );
        }}
      >
        <h1>{t('signIn.title')}</h1>
        <label>
          {t('signIn.serverUrl')}
          <input
            name="server_url"
            type="url"
            required
            value={locked ? (session?.server_url ?? '') : serverUrl}
            readOnly={locked}
            placeholder="https://im.example.com"
            onChange={(e) => setServerUrl(e.target.value)}
          />
          {locked ? <small>{t('signIn.serverUrlLocked')}</small> : null}
        </label>
        <label>
          {t('signIn.account')}
          <input
            name="account"
            autoComplete="username"
            required
            value={account}
            onChange={(e) => setAccount(e.target.value)}
          />
        </label>
        <label>
          {t('signIn.password')}
          <input
            name="password"
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </label>
        {message ? (
          <p className="sign-in-error" role="alert" data-code={error?.code}>
            {t(message.key, message.values)}
          </p>
        ) : null}
        <button type="submit" className="primary" disabled={busy}>
          {busy ? t('signIn.submitting') : t('signIn.submit')}
        </button>
      </form>
    </main>
  );
}
