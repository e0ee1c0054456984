// An engine error, worded by the engine, announced to screen readers when it appears.
import type { ReactNode } from 'react';

export function ErrorNotice({ message, onRetry }: { message: string | null; onRetry?: () => void }): ReactNode {
  if (message === null) return null;
  return (
    <div className="notice notice-error" role="alert">
      <span>{message}</span>
      {onRetry && (
        <button type="button" className="button button-small" onClick={onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}
