import { startPaystackSandbox } from './server.ts'

const env = process.env
const s = await startPaystackSandbox({
  port: Number(env['PAYSTACK_SANDBOX_PORT'] ?? 8093),
  ...(env['PAYSTACK_SECRET_KEY'] && { secretKey: env['PAYSTACK_SECRET_KEY'] }),
  ...(env['PAYSTACK_PUBLIC_KEY'] && { publicKey: env['PAYSTACK_PUBLIC_KEY'] }),
  ...(env['PAYSTACK_WEBHOOK_URL'] && { webhookUrl: env['PAYSTACK_WEBHOOK_URL'] }),
  ...(env['PAYSTACK_SANDBOX_PUBLIC_URL'] && { publicUrl: env['PAYSTACK_SANDBOX_PUBLIC_URL'] }),
  log: console.log,
})
console.log(`Paystack sandbox on ${s.url} (secret key ${s.secretKey}, public key ${s.publicKey})`)
