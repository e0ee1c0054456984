// `POST /v1/token/rotate`: a new token in force at once; holders of the old one get 401 from then on.
import type { TokenRotateResponse } from '../../../shared/local-api.ts';
import type { LocalRoute } from '../context.ts';
import { readJsonObject, sendJson } from '../http-json.ts';
import { queryParams } from '../query-params.ts';

export function tokenRoute(rotate: () => TokenRotateResponse): LocalRoute {
  return {
    method: 'POST',
    path: '/v1/token/rotate',
    access: 'owner',
    handle: async ({ req, res, url }) => {
      queryParams(url, []);
      await readJsonObject(req);
      sendJson(res, 200, rotate());
    },
  };
}
