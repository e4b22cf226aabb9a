import { createRoute } from '@hono/zod-openapi'
import { z } from 'zod'
import { authRequired } from '../platform/http/auth-middleware.ts'
import { HttpError } from '../platform/http/errors.ts'
import { ErrorEnvelope, errorResponses, guard, json, routesOf } from '../platform/http/route-kit.ts'

const JWT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/

/**
 * Browsers cannot set headers on a WebSocket, so the token comes in the query string (`token`)
 * or as a Sec-WebSocket-Protocol entry (`bearer.<jwt>` or the bare JWT). The handshake must
 * echo one offered protocol: a non-token entry when the client offered one, else the token's.
 */
export function socketCredentials(
  query: string | undefined,
  protocolHeader: string | undefined,
): { token: string | null; protocol: string | null } {
  const offered = (protocolHeader ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)
  let token: string | null = query && query !== '' ? query : null
  let tokenEntry: string | null = null
  for (const p of offered) {
    const candidate = p.startsWith('bearer.') ? p.slice('bearer.'.length) : p
    if (JWT.test(candidate)) {
      tokenEntry = p
      token ??= candidate
      break
    }
  }
  const other = offered.find((p) => p !== tokenEntry) ?? null
  return { token, protocol: offered.length === 0 ? null : (other ?? tokenEntry) }
}

const ConnectQuery = z.object({
  token: z.string().max(8192).optional().describe('bearer token (or send it as a Sec-WebSocket-Protocol entry)'),
  lastSeq: z.coerce
    .number()
    .int()
    .min(0)
    .max(Number.MAX_SAFE_INTEGER)
    .optional()
    .describe('last event number seen: missed events are replayed after SUBSCRIBE'),
})

const unauthenticated = () => authRequired('A valid token is required (query `token` or Sec-WebSocket-Protocol)')

const connect = createRoute({
  method: 'get',
  path: '/payment-notifications',
  summary:
    'WebSocket (seed 003): send {"type":"SUBSCRIBE","userId":<token sub>,"channels":[...]} and receive PAYMENT_STATUS, BOOKING_CONFIRMED, AUCTION_RESULT, SECOND_CHANCE_OFFER, each with a per-user seq; reconnect with lastSeq to get missed events',
  tags: ['realtime'],
  // A user's socket, but browsers cannot send an Authorization header on an upgrade: the handler
  // reads the token from the query or the subprotocol, after the 426 for a plain GET. So the
  // document says 'user' while no bearer middleware runs.
  ...guard('none'),
  security: [{ bearer: [] }],
  'x-auth': 'user' as const,
  request: { query: ConnectQuery },
  responses: {
    101: { description: 'Switching protocols' },
    ...errorResponses(400, 401),
    426: json(ErrorEnvelope, 'Not a WebSocket upgrade (UPGRADE_REQUIRED)'),
    501: json(ErrorEnvelope, 'This runtime serves no WebSockets (WEBSOCKETS_UNAVAILABLE)'),
  },
})

export const realtimeRoutes = routesOf().openapi(connect, async (c) => {
  if (c.req.header('upgrade')?.toLowerCase() !== 'websocket') {
    throw new HttpError(426, 'UPGRADE_REQUIRED', 'Connect with a WebSocket upgrade', undefined, { upgrade: 'websocket' })
  }
  const q = c.req.valid('query')
  const { token, protocol } = socketCredentials(q.token, c.req.header('sec-websocket-protocol'))
  if (!token) throw unauthenticated()
  const principal = await c.var.deps.verifyToken(token)
  if (!principal) throw unauthenticated()
  const sockets = c.var.deps.realtime.sockets
  if (!sockets) throw new HttpError(501, 'WEBSOCKETS_UNAVAILABLE', 'This runtime serves no WebSockets')
  return sockets.connect(c.req.raw, { userId: principal.userId, protocol, lastSeq: q.lastSeq ?? null })
})
