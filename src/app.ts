import { Hono, type Context } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { cors } from 'hono/cors'
import { secureHeaders } from 'hono/secure-headers'
import type { Deps } from './container.ts'
import { bookingJobs } from './bookings/jobs.ts'
import { bookingAdminRoutes, bookingRoutes } from './bookings/http/index.ts'
import { realtimeRoutes } from './realtime/http.ts'
import { cartRoutes } from './carts/http.ts'
import { catalogAdminRoutes, catalogRoutes } from './catalog/http.ts'
import { giftAdminRoutes, giftRoutes } from './gifts/http/index.ts'
import { identityRoutes } from './identity/http.ts'
import { orderRoutes } from './orders/http.ts'
import { orderJobs } from './orders/jobs.ts'
import { devMailboxRoutes, paymentAdminRoutes, paymentReturnRoutes, paymentRoutes, paystackWebhookRoutes } from './payments/http/index.ts'
import { paymentJobs } from './payments/jobs.ts'
import { loyaltyPageRoutes } from './loyalty/admin-page.ts'
import { loyaltyAdminRoutes, loyaltyRoutes, mypageRoutes } from './loyalty/http/index.ts'
import { loyaltyJobs } from './loyalty/jobs.ts'
import { operationsAdminRoutes } from './operations/http.ts'
import { recordHeartbeat } from './platform/heartbeat.ts'
import { reconciliationAdminRoutes, reconciliationJobs } from './reconciliation/http.ts'
import type { AppEnv } from './platform/http/app-env.ts'
import { renderDocsPage } from './platform/http/docs-page.ts'
import { htmlContentSecurityPolicy } from './platform/http/html.ts'
import { handleError } from './platform/http/error-handler.ts'
import { errorResponse } from './platform/http/errors.ts'
import { healthRoutes } from './platform/http/health.ts'
import { jobRoutes, type JobHandler } from './platform/http/jobs.ts'
import { apiDocument, operationsOf, type ApiDocument, type DocumentedOperation } from './platform/http/api-document.ts'
import { routesOf } from './platform/http/route-kit.ts'
import { requestContext } from './platform/http/request-context.ts'
import { deferVia } from './shared/defer.ts'

const TITLE = 'Edge payments backend'
const VERSION = '0.1.0'
const MAX_BODY_BYTES = 1024 * 1024

/**
 * What an entry gives the app for each request: the dependency container to use and, optionally,
 * how to keep the request alive for deferred work (the Worker's waitUntil); without it deferred
 * work runs detached (a long-lived process).
 */
export interface Scope {
  readonly deps: Deps
  readonly keepAlive?: (work: Promise<unknown>) => void
}
export type ScopeProvider = (c: Context<AppEnv>) => Promise<Scope> | Scope

const jobs: Record<string, JobHandler> = {
  'platform.heartbeat': async (c) => recordHeartbeat(c.var.deps.redis, c.var.deps.clock.now()),
  ...orderJobs,
  ...paymentJobs,
  ...bookingJobs,
  ...loyaltyJobs,
  ...reconciliationJobs,
}

/** The OpenAPI document of the app (served at /openapi.json; `npm run openapi` writes it to a file). */
export const openApiDocument = (serverUrl?: string): ApiDocument =>
  apiDocument(api, { title: TITLE, version: VERSION, ...(serverUrl && { serverUrl }) })

/** Every documented operation (method, Hono-style path, auth), for the docs page and the test suites. */
export const documentedOperations = (): DocumentedOperation[] => operationsOf(openApiDocument())

/**
 * Every route, mounted in one chained expression so their types add up: `AppRoutes` is what the
 * typed client (src/client.ts, hono/client) is built on. Order matters as in any Hono app. `api`
 * is the same OpenAPIHono: mounting merges each context's createRoute declarations into its
 * registry, which generates the document.
 */
const api = routesOf()
const routes = api
  .route('/', healthRoutes)
  .get('/openapi.json', (c) => c.json(openApiDocument(c.var.deps.config.PUBLIC_BASE_URL)))
  .get('/docs', (c) => c.html(renderDocsPage(TITLE, documentedOperations())))
  .route('/api', giftRoutes)
  .route('/api/v1', giftRoutes)
  .route('/api/admin', giftAdminRoutes)
  .route('/api/v1', identityRoutes)
  .route('/api/v1', catalogRoutes)
  .route('/api/v1', cartRoutes)
  .route('/api/v1', orderRoutes)
  .route('/api/admin', catalogAdminRoutes)
  .route('/api/v1', bookingRoutes)
  .route('/api/admin', bookingAdminRoutes)
  .route('/', realtimeRoutes)
  .route('/api/v1', paymentRoutes)
  .route('/api/admin', paymentAdminRoutes)
  .route('/', paystackWebhookRoutes)
  .route('/', paymentReturnRoutes)
  .route('/', devMailboxRoutes)
  .route('/api/v1', loyaltyRoutes)
  .route('/', mypageRoutes)
  .route('/api/admin', loyaltyAdminRoutes)
  .route('/', loyaltyPageRoutes)
  .route('/api/admin', reconciliationAdminRoutes)
  .route('/api/admin', operationsAdminRoutes)
  .route('/', jobRoutes(jobs))

export type AppRoutes = typeof routes

/** Builds the one Hono app every runtime serves; entries differ only in the scope they provide. */
export function createApp(provide: ScopeProvider): Hono<AppEnv> {
  const app = new Hono<AppEnv>()

  app.use(requestContext)
  app.use(secureHeaders())
  app.use(htmlContentSecurityPolicy)
  app.use(
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: (c) => errorResponse(c, 413, 'PAYLOAD_TOO_LARGE', `Request bodies are limited to ${MAX_BODY_BYTES} bytes`),
    }),
  )
  app.use(async (c, next) => {
    const scope = await provide(c)
    c.set('deps', scope.deps)
    c.set('logger', scope.deps.logger.child({ request_id: c.var.requestId }))
    c.set('defer', deferVia(scope.keepAlive ?? (() => {}), c.var.logger))
    await next()
  })
  app.use((c, next) =>
    cors({
      origin: (origin) => (c.var.deps.config.CORS_ALLOWED_ORIGINS.includes(origin) ? origin : null),
      allowHeaders: ['authorization', 'content-type', 'idempotency-key', 'x-request-id', 'x-cart-session'],
      exposeHeaders: ['x-request-id', 'retry-after', 'idempotent-replayed'],
    })(c, next),
  )

  app.route('/', routes)

  app.notFound((c) => errorResponse(c, 404, 'NOT_FOUND', `No route for ${c.req.method} ${c.req.path}`))
  app.onError(handleError)
  return app
}
