import type { Mismatch } from './mismatch.ts'

/** An operator's "seen and accepted" on one mismatch, exactly as it was listed. */
export interface Acknowledgement {
  readonly fingerprint: string
  readonly kind: Mismatch['kind']
  readonly note: string
  readonly acknowledgedBy: string
  readonly acknowledgedAt: Date
}

export type AcknowledgedMismatch = Mismatch & {
  readonly fingerprint: string
  readonly note: string
  readonly acknowledgedBy: string
  readonly acknowledgedAt: string
}

/** Both sides with their keys sorted: the same mismatch always reads the same. */
export function canonicalMismatch(m: Mismatch): string {
  const sorted = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(sorted)
      : v && typeof v === 'object'
        ? Object.fromEntries(
            Object.keys(v)
              .sort()
              .map((k) => [k, sorted((v as Record<string, unknown>)[k])]),
          )
        : v
  return JSON.stringify(sorted(m))
}

/**
 * SHA-256 (hex) of the canonical mismatch. An acknowledgement covers this exact disagreement: if
 * either side moves on (a refund's status, an amount, a balance), the fingerprint changes and the
 * mismatch is listed again.
 */
export async function fingerprintOf(m: Mismatch): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(canonicalMismatch(m))))
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('')
}
