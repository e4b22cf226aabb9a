import type { Principal } from '../auth.ts'
import type { Logger } from '../logger.ts'
import type { Deps } from '../../container.ts'

/** What every Hono handler can read from `c.var`. */
export interface AppEnv {
  Variables: {
    requestId: string
    logger: Logger
    deps: Deps
    /** Set by the auth middleware; absent for anonymous calls to optional-auth routes. */
    principal?: Principal
  }
}
