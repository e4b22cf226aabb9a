import type { SocketConnector, UserEventStream } from './ports.ts'

/** Where events go and (when the runtime can) who opens sockets. */
export interface RealtimeDeps {
  readonly events: UserEventStream
  /** Null where no socket is served (tests, tools). */
  readonly sockets: SocketConnector | null
}
