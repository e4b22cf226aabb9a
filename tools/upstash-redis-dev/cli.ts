import { startUpstashRedisDev } from './server.ts'

// UPSTASH_DEV_ENGINE=embedded runs it on the in-process engine instead of REDIS_URL's Redis.
const engine = process.env['UPSTASH_DEV_ENGINE'] === 'embedded' ? 'embedded' : 'redis'
const server = await startUpstashRedisDev({ port: Number(process.env['UPSTASH_DEV_PORT'] ?? 8079), engine })
console.log(`Upstash Redis REST dev server on ${server.url} (token ${server.token}, engine ${server.engine})`)
