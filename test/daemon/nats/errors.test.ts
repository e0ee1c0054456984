import { describe, expect, it } from 'vitest';
import { describeNatsError } from '../../../daemon/nats/errors.ts';

const CONTEXT = { url: 'nats://broker:4222', stream: 'MAILBRIDGE', subjectPrefix: 'mailbridge' };
const named = (name: string, message: string, cause?: unknown): Error => Object.assign(new Error(message, { cause }), { name });

describe('what the sink says went wrong', () => {
  it('names refused credentials and where to fix them', () => {
    expect(describeNatsError(named('AuthorizationError', 'Authorization Violation'), CONTEXT)).toBe(
      'NATS at nats://broker:4222 refused the credentials (Authorization Violation): check the user and the password, token or .creds file',
    );
  });

  it('names a missing permission, found along the cause chain, and the permissions needed', () => {
    const error = named('RequestError', 'wrapped', named('PermissionViolationError', 'Permissions Violation for Publish to "mailbridge.a.b.c"'));
    expect(describeNatsError(error, CONTEXT)).toMatch(/^NATS denied a permission \(Permissions Violation for Publish to "mailbridge\.a\.b\.c"\): the user needs/);
  });

  it('says no stream answered rather than "JetStream is not enabled" for a publish nobody stores', () => {
    const error = named('JetStreamNotEnabled', 'jetstream is not enabled', named('RequestError', "no responders: 'mailbridge.x'"));
    expect(describeNatsError(error, CONTEXT)).toBe(
      'no JetStream stream answered for mailbridge.> (is JetStream enabled, and does the stream MAILBRIDGE still exist?)',
    );
  });

  it('tells an unreachable or silent broker from a refusal', () => {
    const refused = named('ConnectionError', 'connection refused', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:4222'), { code: 'ECONNREFUSED' }));
    expect(describeNatsError(refused, CONTEXT)).toBe('cannot reach NATS at nats://broker:4222: connection refused: connect ECONNREFUSED 127.0.0.1:4222');
    expect(describeNatsError(named('TimeoutError', 'timeout'), CONTEXT)).toMatch(/^no answer from NATS at nats:\/\/broker:4222 in time/);
    expect(describeNatsError(named('JetStreamApiError', 'insufficient resources'), CONTEXT)).toBe('JetStream refused: insufficient resources');
    expect(describeNatsError('plain text', CONTEXT)).toBe('plain text');
  });
});
