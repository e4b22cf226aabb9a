import { PepperedPinHasher } from '../../src/gifts/adapters/peppered-pin-hasher.ts'
import { giftPinPeppers } from '../../src/platform/config.ts'

/**
 * The local stack's pepper (`npm run dev` passes it to the Worker, and the seed hashes with it).
 * Never used when GIFT_PIN_PEPPER is set.
 */
export const DEV_GIFT_PIN_PEPPER = 'dev:dev-only-gift-pin-pepper-change-me-0123456789'

/**
 * The PIN hasher over GIFT_PIN_PEPPER as the Worker reads it (same format, same validation), so
 * offline tools hash exactly as the Worker verifies. Without it: the fallback, else an error.
 */
export function pinHasherFromEnv(value: string | undefined, fallback?: string): PepperedPinHasher {
  const raw = value || fallback
  if (!raw) throw new Error('GIFT_PIN_PEPPER is not set: PINs must be hashed with the pepper the Worker uses')
  const parsed = giftPinPeppers.safeParse(raw)
  if (!parsed.success) throw new Error(`GIFT_PIN_PEPPER: ${parsed.error.issues.map((i) => i.message).join('; ')}`)
  return new PepperedPinHasher(parsed.data)
}

/** The value the local stack gives the Worker: the caller's GIFT_PIN_PEPPER, else the dev one. */
export const devGiftPinPepper = (): string => process.env['GIFT_PIN_PEPPER'] || DEV_GIFT_PIN_PEPPER
