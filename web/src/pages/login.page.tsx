import { useState, type FormEvent } from 'react';
import { apiLogin, ApiError, storeToken } from '../api/client';
import { Page } from '../components/page';
import { navigate } from '../router';

/**
 * Sign in with an API token (admin or analyst). Steward prints the admin token once at first start; the token is
 * checked by POST /api/v1/auth/login (which records the sign-in in the audit vault) before it is kept.
 */
export function LoginPage({ next, reason }: { next: string; reason: string | null }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    const value = token.trim();
    if (!value) {
      setError('Paste a token first.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const who = await apiLogin(value);
      if (who.role === 'ingest') {
        setError('This token cannot read the console (role "ingest" sends telemetry). Use an admin or analyst token.');
        return;
      }
      storeToken(value);
      navigate(next.startsWith('/') && !next.startsWith('//') ? next : '/', { replace: true });
    } catch (err) {
      setError(loginError(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="login">
      <div className="login-card">
        <div className="brand brand-large">
          <img src="/favicon.svg" alt="" width={32} height={32} /> Steward
        </div>
        <Page title="Sign in">
          {reason === 'expired' ? (
            <p className="notice" role="status">
              Your token is no longer accepted (revoked, or the server&apos;s data was reset). Sign in again.
            </p>
          ) : null}
          <form onSubmit={(e) => void submit(e)} noValidate>
            <label htmlFor="token">API token</label>
            <input
              id="token"
              name="token"
              type="password"
              autoComplete="off"
              spellCheck={false}
              placeholder="stw_admin_…"
              value={token}
              onChange={(e) => setToken(e.target.value)}
              aria-describedby="token-help"
              aria-invalid={error ? true : undefined}
              aria-errormessage={error ? 'token-error' : undefined}
              required
            />
            {error ? (
              <p id="token-error" className="form-error" role="alert">
                {error}
              </p>
            ) : null}
            <button type="submit" className="button button-primary" disabled={busy}>
              {busy ? 'Checking…' : 'Sign in'}
            </button>
          </form>
          <div id="token-help" className="help">
            <p>
              Use an <strong>admin</strong> or <strong>analyst</strong> token. Steward prints the admin token once, at
              first start. Lost it? On the server, <code>steward keys create --role admin</code> prints a new one.
            </p>
            <p>The token stays in this browser tab only, and is forgotten when the tab closes.</p>
          </div>
        </Page>
      </div>
    </div>
  );
}

function loginError(err: unknown): string {
  if (!(err instanceof ApiError)) return 'Could not reach Steward. Is the server running?';
  if (err.status === 401) return 'That token was not accepted: it is mistyped, revoked, or from another Steward.';
  if (err.status === 403) return `This token cannot read the console (${err.message}). Use an admin or analyst token.`;
  return `Steward answered ${err.status}: ${err.message}`;
}
