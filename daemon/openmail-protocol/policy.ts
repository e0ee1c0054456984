// What OpenMail's WebSocket server enforces (docs/providers.md): one definition for the adapter that obeys it
// and for the two servers that play it, the local WebSocket and the demo provider.
import type { MessageBudget } from '../rate-limit.ts';

export const WS_PATH = '/v1/ws';

/** Client messages per connection; one more and the server closes with 4029. */
export const CLIENT_BUDGET: Readonly<MessageBudget> = { messages: 30, perMs: 10_000 };

/** Most events one `subscribe` with `last_event_id` replays. */
export const REPLAY_CAP = 100;

/** Open connections per account; one more gets an error frame and close 4008. */
export const MAX_CONNECTIONS = 10;

/** The server pings this often and drops a connection that has not answered within PONG_TIMEOUT_MS. */
export const PING_INTERVAL_MS = 30_000;
export const PONG_TIMEOUT_MS = 10_000;

/** Ours, not OpenMail's: client frames are small commands, so anything bigger is refused before it is buffered
 * (ws closes with 1009). */
export const MAX_CLIENT_FRAME_BYTES = 64 * 1024;

/** Server going away: clients reconnect. */
export const CLOSE_GOING_AWAY = 1001;
/** The key is unknown, revoked or rotated. */
export const CLOSE_UNAUTHORIZED = 4001;
export const CLOSE_CONNECTION_LIMIT = 4008;
export const CLOSE_RATE_LIMITED = 4029;
