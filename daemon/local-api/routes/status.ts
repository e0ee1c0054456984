// `GET /v1/status`: the same snapshot the tray, the window and `mailbridge status` read.
import type { StatusResponse } from '../../../shared/local-api.ts';
import type { LocalApiContext, LocalRoute } from '../context.ts';
import { sendJson } from '../http-json.ts';
import { queryParams } from '../query-params.ts';

export function statusRoute(ctx: LocalApiContext): LocalRoute {
  return {
    method: 'GET',
    path: '/v1/status',
    handle: ({ res, url }) => {
      queryParams(url, []);
      const body: StatusResponse = ctx.status();
      sendJson(res, 200, body);
    },
  };
}
