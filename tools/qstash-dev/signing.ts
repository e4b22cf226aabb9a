/**
 * The Upstash-Signature JWT exactly as QStash builds it: HS256 with the signing key, iss "Upstash",
 * sub = destination URL, body = base64url(SHA-256(raw body)), 5-minute lifetime. @upstash/qstash's
 * Receiver verifies these unchanged (with the current key, else the next one).
 */
import { createHash, randomUUID } from 'node:crypto'
import { SignJWT } from 'jose'

export async function signDelivery(key: string, url: string, body: Buffer, nowSec = Math.floor(Date.now() / 1000)): Promise<string> {
  return new SignJWT({ body: createHash('sha256').update(body).digest('base64url') })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer('Upstash')
    .setSubject(url)
    .setIssuedAt(nowSec)
    .setNotBefore(nowSec)
    .setExpirationTime(nowSec + 300)
    .setJti(`jwt_${randomUUID()}`)
    .sign(new TextEncoder().encode(key))
}
