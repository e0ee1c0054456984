// Entry point: pick the transport for where the window runs, then render.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.tsx';
import { LockedScreen } from './components/LockedScreen.tsx';
import { pickTransport } from './data/pick-transport.ts';

const data = pickTransport();
const container = document.getElementById('root');
if (container === null) throw new Error('index.html has no #root');
createRoot(container).render(<StrictMode>{data === null ? <LockedScreen reason={null} /> : <App data={data} />}</StrictMode>);
