// The app mark: an envelope on a bridge arch, drawn inline so nothing is fetched.
import type { ReactNode } from 'react';

export function Logo(): ReactNode {
  return (
    <svg className="logo" viewBox="0 0 32 32" width="24" height="24" aria-hidden="true" focusable="false">
      <rect x="2" y="2" width="28" height="28" rx="8" className="logo-tile" />
      <path d="M8 12.5h16v9a1.5 1.5 0 0 1-1.5 1.5h-13A1.5 1.5 0 0 1 8 21.5z" className="logo-paper" />
      <path d="M8.5 13 16 18.2 23.5 13" className="logo-fold" />
    </svg>
  );
}
