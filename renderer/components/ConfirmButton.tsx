// Destructive actions ask once, in place: the button turns into "Remove? Cancel / Remove".
import { useEffect, useRef, useState, type ReactNode } from 'react';

interface ConfirmButtonProps {
  label: string;
  question: string;
  confirmLabel: string;
  busy?: boolean;
  onConfirm(): void;
}

export function ConfirmButton({ label, question, confirmLabel, busy = false, onConfirm }: ConfirmButtonProps): ReactNode {
  const [asking, setAsking] = useState(false);
  const cancelRef = useRef<HTMLButtonElement>(null);
  // Focus lands on the safe choice, so a second Enter does not destroy anything.
  useEffect(() => {
    if (asking) cancelRef.current?.focus();
  }, [asking]);

  if (!asking) {
    return (
      <button type="button" className="button button-small button-quiet" onClick={() => setAsking(true)} disabled={busy}>
        {label}
      </button>
    );
  }
  return (
    // biome-ignore lint/a11y/useSemanticElements: an inline group inside a row; a fieldset would bring block layout and a border.
    <span className="confirm" role="group" aria-label={question}>
      <span className="confirm-question">{question}</span>
      <button ref={cancelRef} type="button" className="button button-small" onClick={() => setAsking(false)}>
        Cancel
      </button>
      <button
        type="button"
        className="button button-small button-danger"
        disabled={busy}
        onClick={() => {
          setAsking(false);
          onConfirm();
        }}
      >
        {confirmLabel}
      </button>
    </span>
  );
}
