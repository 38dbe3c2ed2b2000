import { useState } from 'react';
import { apiBlob, ApiError } from '../api/client';

/**
 * Downloads an export (CSV, Markdown, iCalendar) from the API. A plain link cannot send the Bearer token, so the
 * file is fetched with it and handed to the browser as a download.
 */
export function DownloadButton({ path, filename, label }: { path: string; filename: string; label: string }) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const download = async (): Promise<void> => {
    setBusy(true);
    setError(null);
    try {
      const url = URL.createObjectURL(await apiBlob(path));
      const a = document.createElement('a');
      a.href = url;
      a.download = filename;
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (err) {
      setError(err instanceof ApiError ? err.message : 'could not reach Steward');
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <button type="button" className="button" onClick={() => void download()} disabled={busy} data-href={path}>
        {label}
      </button>
      {error ? (
        <span className="form-error" role="alert">
          {error}
        </span>
      ) : null}
    </>
  );
}
