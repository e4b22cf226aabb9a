/** What src/app.ts mounts from the payments context. */
export { paymentAdminRoutes } from './admin.ts'
export { devMailboxRoutes } from './dev-mailbox.ts'
export { paymentRoutes } from './payments.ts'
export { paymentReturnRoutes, paystackWebhookRoutes } from './paystack.ts'
export { InitializePaymentRequest, RefundRequest } from './schemas.ts'
