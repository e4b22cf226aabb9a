import type { Principal } from '../auth.ts'
import type { Logger } from '../logger.ts'
import type { Deps } from '../../container.ts'
import type { Defer } from '../../shared/defer.ts'

/** What every Hono handler can read from `c.var`. */
export interface AppEnv {
  Variables: {
    requestId: string
    logger: Logger
    deps: Deps
    /** Work the answer does not wait for (waitUntil on Workers); set per request by the app. */
    defer: Defer
    /** Set by the auth middleware; absent for anonymous calls to optional-auth routes. */
    principal?: Principal
  }
}
