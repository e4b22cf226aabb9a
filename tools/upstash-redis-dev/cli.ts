import { startUpstashRedisDev } from './server.ts'

const server = await startUpstashRedisDev({ port: Number(process.env['UPSTASH_DEV_PORT'] ?? 8079) })
console.log(`Upstash Redis REST dev server on ${server.url} (token ${server.token})`)
