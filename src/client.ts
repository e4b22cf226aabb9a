/**
 * A typed client for front ends (seed 003's Next.js app, shop devices, admin tools), built on
 * hono/client from the app's own route types, so request bodies, params and JSON answers are typed
 * without hand-written interfaces:
 *
 *   import { createClient } from 'edge-payments-backend/client'
 *   const api = createClient('https://api.example.com', { headers: { authorization: `Bearer ${token}` } })
 *   const res = await api.api.v1.payment.zalopay.$post({ json: { auctionId, selectedNights, amount } })
 *
 * Only types come from the server code (`import type`): a front-end bundle pulls in hono/client alone.
 */
import { hc, type ClientRequestOptions } from 'hono/client'
import type { AppRoutes } from './app.ts'

export type AppClient = ReturnType<typeof hc<AppRoutes>>

export const createClient = (baseUrl: string, options?: ClientRequestOptions): AppClient => hc<AppRoutes>(baseUrl, options)
