import { domainError } from '../../shared/result.ts'

export const identityErrors = {
  emailTaken: () => domainError('EMAIL_TAKEN', 'An account with this email already exists'),
  /** One answer for an unknown email and a wrong password, so accounts cannot be enumerated. */
  invalidCredentials: () => domainError('INVALID_CREDENTIALS', 'Email or password is incorrect'),
  throttled: (retryAfterSeconds: number) =>
    domainError('LOGIN_THROTTLED', `Too many login attempts; retry in ${retryAfterSeconds} s`, {
      retry_after_seconds: retryAfterSeconds,
    }),
  localLoginDisabled: () => domainError('LOCAL_LOGIN_DISABLED', 'This deployment signs users in through its identity provider only'),
}

export type IdentityError = ReturnType<(typeof identityErrors)[keyof typeof identityErrors]>
export type IdentityErrorCode = IdentityError['code']
