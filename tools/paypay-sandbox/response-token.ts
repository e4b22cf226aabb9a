/**
 * The `responseToken` PayPay appends to redirectUrl after account-link consent
 * (docs/protocols/paypay-opa.md): an HS256 JWT keyed by the base64-DECODED API secret (every
 * official SDK verifies it that way). Merchants read result, nonce, userAuthorizationId and
 * referenceId; the full claim set is [UNCONFIRMED], so iss / aud / profileIdentifier / exp here are
 * the sandbox's choice.
 */
import { SignJWT } from 'jose'
import type { SandboxContext } from './context.ts'
import { toSeconds } from './details.ts'

export const RESPONSE_TOKEN_ISSUER = 'paypay.ne.jp'
/** How long the merchant has to verify the token [INFERENCE]. */
export const RESPONSE_TOKEN_TTL_SECONDS = 300

export type LinkResult = { result: 'succeeded'; userAuthorizationId: string; profileIdentifier: string } | { result: 'declined' }

export function signResponseToken(
  ctx: SandboxContext,
  session: { nonce: string; referenceId: string },
  outcome: LinkResult,
): Promise<string> {
  const claims = {
    iss: RESPONSE_TOKEN_ISSUER,
    aud: ctx.creds.apiKey,
    ...outcome,
    nonce: session.nonce,
    referenceId: session.referenceId,
    exp: toSeconds(ctx.now()) + RESPONSE_TOKEN_TTL_SECONDS,
  }
  return new SignJWT(claims).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(Buffer.from(ctx.creds.apiSecret, 'base64'))
}
