import { useState } from 'preact/hooks';
import { ApiFailure } from '../api';
import { authExpired } from '../connection';
import { t } from '../i18n';
import { login } from '../login';
import { useValue } from './hooks';

export function Login(props: { username?: string }) {
  const expired = useValue(authExpired);
  const [username, setUsername] = useState(props.username ?? '');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function submit(e: Event) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await login(username.trim(), password);
    } catch (err) {
      const msg = err instanceof ApiFailure && err.status === 0 ? t('login.offline') : err instanceof Error ? err.message : String(err);
      setError(t('login.failed', { message: msg }));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form class="login card" onSubmit={submit}>
      <h1>{t('login.title')}</h1>
      {expired && <p class="warn">{t('login.again')}</p>}
      <label>
        <span>{t('login.username')}</span>
        <input name="username" autoComplete="username" value={username} onInput={(e) => setUsername(e.currentTarget.value)} />
      </label>
      <label>
        <span>{t('login.password')}</span>
        <input name="password" type="password" autoComplete="current-password" value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
      </label>
      {error && <p class="error">{error}</p>}
      <button type="submit" class="primary" disabled={busy}>{busy ? t('login.busy') : t('login.submit')}</button>
    </form>
  );
}
