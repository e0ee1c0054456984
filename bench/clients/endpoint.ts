// Where a client finds the daemon: read on every (re)connect, because a restarted daemon listens on a new port.

export interface Endpoint {
  url: string;
  /** The Unix socket path, when the daemon serves one. */
  socket: string | null;
  token: string;
}

/** Null while no daemon is running: the client waits and asks again. */
export type EndpointSource = () => Endpoint | null;
