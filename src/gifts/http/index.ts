import { routesOf } from '../../platform/http/route-kit.ts'
import { giftIssueRoutes } from './admin.ts'
import { supplierRoutes } from './suppliers.ts'

/**
 * What src/app.ts mounts: the shop devices' routes under /api and /api/v1 (the devices already
 * call /api), and the operator's under /api/admin, each route guarded by itself.
 */
export { redemptionRoutes as giftRoutes } from './redemption.ts'

export const giftAdminRoutes = routesOf().route('/', giftIssueRoutes).route('/', supplierRoutes)
