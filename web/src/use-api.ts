import { useCallback, useEffect, useState } from 'react';
import { apiGet, ApiError } from './api/client';

export type Loadable<T> =
  { state: 'loading' } | { state: 'error'; error: ApiError } | { state: 'ready'; data: T; reload: () => void };

/** GET an API path (null: not yet known) and re-fetch when it changes; stale answers are discarded. */
export function useApi<T>(path: string | null): Loadable<T> {
  const [result, setResult] = useState<{ path: string; value: Loadable<T> } | null>(null);
  const [generation, setGeneration] = useState(0);
  const reload = useCallback(() => setGeneration((g) => g + 1), []);

  useEffect(() => {
    if (path === null) return;
    const controller = new AbortController();
    apiGet<T>(path, { signal: controller.signal }).then(
      (data) => setResult({ path, value: { state: 'ready', data, reload } }),
      (err: unknown) => {
        if (controller.signal.aborted) return;
        const error = err instanceof ApiError ? err : new ApiError(0, 'network', describe(err));
        setResult({ path, value: { state: 'error', error } });
      },
    );
    return () => controller.abort();
  }, [path, generation, reload]);

  if (path === null || result === null || result.path !== path) return { state: 'loading' };
  return result.value;
}

function describe(err: unknown): string {
  return err instanceof Error ? `could not reach Steward (${err.message})` : 'could not reach Steward';
}
