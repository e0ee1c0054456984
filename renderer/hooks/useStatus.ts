// The engine's status, fetched once and then kept current by the live feed; plus whether the engine answers.
import { useEffect, useState } from 'react';
import type { DaemonStatus } from '../../shared/status.ts';
import { ApiError } from '../data/api-error.ts';
import type { DataLayer } from '../data/data-layer.ts';

export interface StatusState {
  status: DaemonStatus | null;
  /** Why the engine cannot be reached (or refuses us); null while all is well. */
  problem: ApiError | null;
}

export function useStatus(data: DataLayer): StatusState {
  const [status, setStatus] = useState<DaemonStatus | null>(null);
  const [problem, setProblem] = useState<ApiError | null>(null);
  useEffect(() => {
    let active = true;
    data.api.status().then(
      (first) => {
        if (active) setStatus((current) => current ?? first);
      },
      (error: unknown) => {
        if (active) setProblem(error instanceof ApiError ? error : new ApiError(0, 'unreachable', String(error)));
      },
    );
    const offStatus = data.live.onStatus((next) => {
      setStatus(next);
      setProblem(null);
    });
    const offConnection = data.live.onConnection(setProblem);
    return () => {
      active = false;
      offStatus();
      offConnection();
    };
  }, [data]);
  return { status, problem };
}
