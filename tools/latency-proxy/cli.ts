/**
 * Puts distance in front of a server from the command line, e.g. 10 ms each way before Postgres:
 *   tsx tools/latency-proxy/cli.ts --protocol postgres --listen 6432 --target 127.0.0.1:5432 --delay 10 --control 6499
 * Then point DATABASE_URL at port 6432 and read the counts with `curl 127.0.0.1:6499/counters`.
 */
import { parseArgs } from 'node:util'
import { startProxyControl } from './control.ts'
import { startLatencyProxy, type ProxyProtocol } from './proxy.ts'

const { values } = parseArgs({
  options: {
    protocol: { type: 'string', default: 'postgres' },
    listen: { type: 'string', default: '0' },
    target: { type: 'string', default: '127.0.0.1:5432' },
    delay: { type: 'string', default: '0' },
    control: { type: 'string' },
  },
})
const protocol = values.protocol as ProxyProtocol
if (protocol !== 'postgres' && protocol !== 'http') throw new Error('--protocol is postgres or http')
const [host, port] = values.target.split(':')
const proxy = await startLatencyProxy({
  protocol,
  target: { host: host!, port: Number(port) },
  port: Number(values.listen),
  delayMs: Number(values.delay),
})
console.log(`latency proxy (${protocol}) on 127.0.0.1:${proxy.port} -> ${values.target}, ${values.delay} ms each way`)
if (values.control) {
  const control = await startProxyControl(Number(values.control), { [protocol]: proxy })
  console.log(`counters: ${control.url}/counters`)
}
