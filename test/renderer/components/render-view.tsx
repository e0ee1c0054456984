// Renders a view as the window shows it: with the window's stylesheets, inside the app's frame, so layout,
// scrolling and the list window are real.
import '../../../renderer/styles/theme.css';
import '../../../renderer/styles/app.css';
import type { ReactNode } from 'react';
import { render, type RenderResult } from 'vitest-browser-react';

export function renderView(ui: ReactNode, height = 700): Promise<RenderResult> {
  return render(
    <div className="app" style={{ height }}>
      <main className="main">
        <section className="tabpanel">{ui}</section>
      </main>
    </div>,
  );
}
