// How an OpenMail server answers one parsed client frame, pure: the subscription after it, the frames to send
// back, and where a replay starts. Each server supplies only what it alone knows: where an event id sits in
// its log and which inboxes the connection may not have.
import type { ClientFrame } from './client-frames.ts';
import { ERRORS, PONG, errorFrame, unsubscribedFrame, type ServerFrame } from './server-frames.ts';
import { subscribe, subscribedFrame, unsubscribe, type Subscription } from './subscription.ts';

export interface ServerLog<Position> {
  /** Where the event with this id sits, or null when this server does not know it. */
  positionOf(eventId: string): Position | null;
  /** The first of these inboxes the connection may not subscribe to, if any. */
  foreignInbox(inboxIds: readonly string[]): string | undefined;
}

export interface Answer<Position> {
  subscription: Subscription | null;
  frames: ServerFrame[];
  /** Set by a subscribe with a known `last_event_id`: the server replays what matches after it. */
  replayAfter: Position | null;
}

export function answerFrame<Position>(current: Subscription | null, frame: ClientFrame, log: ServerLog<Position>): Answer<Position> {
  const unchanged = (frames: ServerFrame[]): Answer<Position> => ({ subscription: current, frames, replayAfter: null });
  switch (frame.type) {
    case 'ping':
      return unchanged([PONG]);
    case 'ack':
      return unchanged([]);
    case 'unsubscribe':
      return { subscription: unsubscribe(current, frame.inboxIds), frames: [unsubscribedFrame(frame.inboxIds)], replayAfter: null };
    case 'subscribe': {
      // A refused subscribe changes nothing, so the client can resubscribe without the cursor.
      const foreign = log.foreignInbox(frame.inboxIds);
      if (foreign !== undefined) return unchanged([errorFrame(ERRORS.unauthorizedInbox(foreign))]);
      const replayAfter = frame.lastEventId === null ? null : log.positionOf(frame.lastEventId);
      if (frame.lastEventId !== null && replayAfter === null) return unchanged([errorFrame(ERRORS.unknownCursor)]);
      const subscription = subscribe(current, frame.inboxIds, frame.eventTypes);
      return { subscription, frames: [subscribedFrame(subscription)], replayAfter };
    }
  }
}
