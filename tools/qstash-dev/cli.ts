import { startQStashDev } from './server.ts'

const s = await startQStashDev({ port: Number(process.env['QSTASH_DEV_PORT'] ?? 8080), log: console.log })
console.log(`QStash dev server on ${s.url} (token ${s.token}; signing keys ${s.currentSigningKey} / ${s.nextSigningKey})`)
