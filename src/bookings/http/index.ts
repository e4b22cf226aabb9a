import { routesOf } from '../../platform/http/route-kit.ts'
import { auctionRoutes } from './auctions.ts'
import { bookingsRoutes } from './bookings.ts'
import { paymentRoutes } from './payments.ts'

/**
 * What src/app.ts mounts: the user-facing routes under /api/v1 (seed 003), chained so the typed
 * client sees all of them, and the admin routes under /api/admin.
 */
export const bookingRoutes = routesOf().route('/', paymentRoutes).route('/', bookingsRoutes).route('/', auctionRoutes)

export { bookingAdminRoutes } from './admin.ts'
