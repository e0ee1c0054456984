// Settings are read once and replaced by whatever the engine answers after each change, so the window
// always shows what the engine actually stored.
import { useCallback, useEffect, useState } from 'react';
import type { Settings } from '../../shared/settings.ts';
import { errorMessage } from '../data/api-error.ts';
import type { DataLayer } from '../data/data-layer.ts';

export interface SettingsState {
  settings: Settings | null;
  error: string | null;
  reload(): Promise<void>;
  replace(settings: Settings): void;
}

export function useSettings(data: DataLayer): SettingsState {
  const [settings, setSettings] = useState<Settings | null>(null);
  const [error, setError] = useState<string | null>(null);

  const reload = useCallback(async () => {
    try {
      setSettings(await data.api.settings());
      setError(null);
    } catch (failure) {
      setError(errorMessage(failure));
    }
  }, [data]);

  useEffect(() => {
    void reload();
  }, [reload]);

  return { settings, error, reload, replace: setSettings };
}
