import { routesOf } from '../../platform/http/route-kit.ts'
import { loyaltyAdminPointsRoutes } from './admin.ts'
import { cashbackRoutes } from './cashbacks.ts'
import { historyFileRoutes } from './history-files.ts'
import { notificationRoutes } from './notifications.ts'
import { paypayLinkRoutes } from './paypay-link.ts'
import { pointsRoutes } from './points.ts'

/**
 * What src/app.ts mounts from the loyalty context (seeds 000/001): the user-facing routes and
 * PayPay's callbacks under /api/v1, the exchange page's own paths at the root, and the operators'
 * routes under /api/admin. The HTML history page is admin-page.ts.
 */
export const loyaltyRoutes = routesOf()
  .route('/', pointsRoutes)
  .route('/', paypayLinkRoutes)
  .route('/', notificationRoutes)
  .route('/', cashbackRoutes)

export const loyaltyAdminRoutes = routesOf().route('/', loyaltyAdminPointsRoutes).route('/', historyFileRoutes)

export { mypageRoutes } from './mypage.ts'
