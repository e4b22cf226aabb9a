/**
 * Expected failures travel as values, not exceptions: a use case returns `Result` and the HTTP
 * edge maps the error code to a status in one table. Exceptions stay reserved for bugs and
 * infrastructure failures, caught once by the app's error handler.
 */
export type Ok<T> = { readonly ok: true; readonly value: T }
export type Err<E> = { readonly ok: false; readonly error: E }
export type Result<T, E> = Ok<T> | Err<E>

export const ok = <T>(value: T): Ok<T> => ({ ok: true, value })
export const err = <E>(error: E): Err<E> => ({ ok: false, error })

/** A domain error: a stable machine-readable code, a human message, optional details. */
export interface DomainError<C extends string = string> {
  readonly code: C
  readonly message: string
  readonly details?: Record<string, unknown>
}

export const domainError = <C extends string>(code: C, message: string, details?: Record<string, unknown>): DomainError<C> =>
  details === undefined ? { code, message } : { code, message, details }
