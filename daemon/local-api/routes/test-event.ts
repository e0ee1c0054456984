// `POST /v1/test-event`: a synthetic event through the real pipeline, like a provider's "send test webhook".
import type { TestEventResponse } from '../../../shared/local-api.ts';
import type { LocalApiContext, LocalRoute } from '../context.ts';
import { readJsonObject, sendJson } from '../http-json.ts';
import { queryParams } from '../query-params.ts';

export function testEventRoute(ctx: LocalApiContext): LocalRoute {
  return {
    method: 'POST',
    path: '/v1/test-event',
    handle: async ({ req, res, url }) => {
      queryParams(url, []);
      // The body carries nothing yet, but it is still read under the size cap and must be JSON if present.
      await readJsonObject(req);
      const body: TestEventResponse = { event: ctx.testEvent() };
      sendJson(res, 201, body);
    },
  };
}
