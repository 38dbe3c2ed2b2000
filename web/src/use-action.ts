import { useCallback, useState } from 'react';
import { ApiError } from './api/client';

/** A change sent to the API from a form or button: busy while in flight, the API's error (message, details) after. */
export function useAction(): {
  busy: boolean;
  error: ApiError | null;
  /** The answer (`{ value }`), or null after a failure (then `error` says why). */
  run: <T>(fn: () => Promise<T>) => Promise<{ value: T } | null>;
  clear: () => void;
} {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const run = useCallback(async <T>(fn: () => Promise<T>): Promise<{ value: T } | null> => {
    setBusy(true);
    setError(null);
    try {
      return { value: await fn() };
    } catch (err) {
      setError(err instanceof ApiError ? err : new ApiError(0, 'network', 'could not reach Steward'));
      return null;
    } finally {
      setBusy(false);
    }
  }, []);
  const clear = useCallback(() => setError(null), []);
  return { busy, error, run, clear };
}
