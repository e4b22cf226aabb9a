import type { Deps } from '../container.ts'
import { InProcessHub } from './adapters/in-process-hub.ts'
import type { RealtimeDeps } from './deps.ts'

/** Without a runtime hub (tests, tools): one in-process hub per isolate, no sockets served. */
const inProcess: RealtimeDeps = { events: new InProcessHub(), sockets: null }

/** The runtime's hub (a Durable Object per user on Workers, Deno's in-process hub), else the in-process one. */
export function wireRealtime({ runtime }: Deps): RealtimeDeps {
  return runtime.realtime ?? inProcess
}
