// What went wrong with the broker, in one line an operator can act on. The NATS client's errors are told apart
// by name along their cause chain, so this stays pure and testable with plain errors.
import { errorMessage } from '../log.ts';

export interface SinkContext {
  url: string;
  stream: string;
  subjectPrefix: string;
}

function chain(error: unknown): Error[] {
  const found: Error[] = [];
  let current: unknown = error;
  while (current instanceof Error && found.length < 8) {
    found.push(current);
    current = current.cause;
  }
  return found;
}

export function describeNatsError(error: unknown, context: SinkContext): string {
  const errors = chain(error);
  const named = (name: string): Error | undefined => errors.find((e) => e.name === name);
  const auth = named('AuthorizationError') ?? named('UserAuthenticationExpiredError');
  if (auth) {
    return `NATS at ${context.url} refused the credentials (${auth.message}): check the user and the password, token or .creds file`;
  }
  const permission = named('PermissionViolationError');
  if (permission) {
    return (
      `NATS denied a permission (${permission.message}): the user needs to publish to $JS.API.STREAM.INFO.${context.stream}, ` +
      `$JS.API.STREAM.CREATE.${context.stream} and ${context.subjectPrefix}.>, and to subscribe to _INBOX.>`
    );
  }
  if (named('StreamMismatchError')) return errorMessage(error);
  if (named('NoResponders') || errors.some((e) => e.name === 'RequestError' && /no responders/i.test(e.message))) {
    return `no JetStream stream answered for ${context.subjectPrefix}.> (is JetStream enabled, and does the stream ${context.stream} still exist?)`;
  }
  const api = named('JetStreamApiError') ?? named('StreamNotFoundError');
  if (api) return `JetStream refused: ${api.message}`;
  if (named('TimeoutError')) return `no answer from NATS at ${context.url} in time (the broker is down, overloaded or unreachable)`;
  if (named('ConnectionError') || named('ClosedConnectionError') || errors.some((e) => 'code' in e && typeof e.code === 'string' && e.code.startsWith('E'))) {
    return `cannot reach NATS at ${context.url}: ${errors.map((e) => e.message).filter(Boolean).join(': ')}`;
  }
  return errorMessage(error);
}
