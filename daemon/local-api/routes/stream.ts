// `GET /v1/stream`: parse where to resume and what to filter, then hand the response to the SSE streams.
import type { LocalRoute } from '../context.ts';
import type { Params } from '../query-params.ts';
import { intParam, parseBoundedInt, queryParams, textParam } from '../query-params.ts';
import type { SseStreams } from '../sse.ts';

// `token` is listed because EventSource cannot send headers; auth has already checked it.
const STREAM_PARAMS = ['after', 'inbox_id', 'event_type', 'token'] as const;

/** Last-Event-ID wins over `?after=`: a reconnecting EventSource repeats its original URL but sends the header. */
export function resumePoint(lastEventId: string | string[] | undefined, params: Params): number {
  if (typeof lastEventId === 'string' && lastEventId.trim() !== '') {
    return parseBoundedInt(lastEventId.trim(), 'Last-Event-ID', 0, Number.MAX_SAFE_INTEGER);
  }
  return intParam(params, 'after', 0, Number.MAX_SAFE_INTEGER) ?? 0;
}

export function streamRoute(streams: SseStreams): LocalRoute {
  return {
    method: 'GET',
    path: '/v1/stream',
    access: 'read',
    handle: ({ req, res, url, principal }) => {
      const params = queryParams(url, STREAM_PARAMS);
      const after = resumePoint(req.headers['last-event-id'], params);
      streams.open(res, after, { inboxId: textParam(params, 'inbox_id'), eventType: textParam(params, 'event_type') }, principal);
    },
  };
}
