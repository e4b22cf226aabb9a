import { env, SELF } from 'cloudflare:test'
import { SignJWT } from 'jose'

/**
 * Delivers a job the way QStash does: a JWT signed with the current signing key over the body hash
 * and the destination URL (what the app's Receiver verifies).
 */
export async function runJob(name: string, payload: unknown = {}): Promise<{ status: number; body: any }> {
  const e = env as unknown as Record<string, string>
  const url = `${e['PUBLIC_BASE_URL']}/jobs/${name}`
  const body = JSON.stringify(payload)
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(body)))
  const bodyHash = btoa(String.fromCharCode(...digest))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '')
  const signature = await new SignJWT({ body: bodyHash })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer('Upstash')
    .setSubject(url)
    .setIssuedAt()
    .setNotBefore(Math.floor(Date.now() / 1000) - 5)
    .setExpirationTime('5m')
    .setJti(crypto.randomUUID())
    .sign(new TextEncoder().encode(e['QSTASH_CURRENT_SIGNING_KEY']))
  const res = await SELF.fetch(`http://worker.test/jobs/${name}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'upstash-signature': signature },
    body,
  })
  return { status: res.status, body: await res.json() }
}
