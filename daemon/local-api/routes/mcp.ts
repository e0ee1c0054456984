// `GET`, `POST` and `DELETE /mcp`: the MCP server over Streamable HTTP, behind the same Host, Origin and token
// checks as every route. The SDK and the server are loaded on the first request (daemon/mcp/http-endpoint.ts),
// so an engine nobody asks over MCP does not pay for them.
import { MCP_PATH } from '../../../shared/local-api.ts';
import type { McpHttpEndpoint } from '../../mcp/http-endpoint.ts';
import type { MailWaiter } from '../../wait/waiter.ts';
import type { LocalApiContext, LocalRoute, RouteRequest } from '../context.ts';

export interface McpRoutes {
  routes: LocalRoute[];
  /** Ends every MCP session, if any was ever opened. */
  close(): Promise<void>;
}

export function mcpRoutes(
  ctx: Pick<LocalApiContext, 'version' | 'events' | 'hub' | 'proxy' | 'sendingAccounts' | 'toolSends' | 'attachments'>,
  waiter: MailWaiter,
): McpRoutes {
  let loading: Promise<McpHttpEndpoint> | null = null;
  const endpoint = () =>
    (loading ??= Promise.all([import('../../mcp/http-endpoint.ts'), import('../../mcp/send-once.ts')]).then(
      ([{ McpHttpEndpoint }, { SendOnce }]) =>
        new McpHttpEndpoint({
          version: ctx.version,
          events: ctx.events,
          hub: ctx.hub,
          waiter,
          proxy: ctx.proxy,
          sendingAccounts: ctx.sendingAccounts,
          sendOnce: new SendOnce(ctx.toolSends),
          attachments: ctx.attachments,
        }),
    ));
  const handle = async (request: RouteRequest): Promise<void> => (await endpoint()).handle(request);
  return {
    // A session reads mail; the engine's server checks the scope each tool declares (tools.ts) before it runs.
    routes: (['POST', 'GET', 'DELETE'] as const).map((method) => ({ method, path: MCP_PATH, access: 'read', handle })),
    close: async () => {
      if (loading !== null) await (await loading).close();
    },
  };
}
