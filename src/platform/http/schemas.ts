import { z } from 'zod'
import { PG_INTEGER_MAX } from './validation.ts'

/**
 * The request and response schemas every context shares (ids, text, money, time, pages), so a
 * rule like "an id is its prefix and a ULID" is written once and reads the same in the document.
 */

/** A prefixed ULID id: `ord_01J…`, `pay_01J…`. */
export const prefixedId = (prefix: string) => z.string().regex(new RegExp(`^${prefix}_[0-9A-HJKMNP-TV-Z]{26}$`), `a ${prefix}_ id`)

/** Trimmed, non-empty text up to `max` characters. */
export const text = (max: number) => z.string().trim().min(1).max(max)

/** An ISO 4217 currency code in upper case. */
export const currencyCode = z.string().regex(/^[A-Z]{3}$/, 'ISO 4217 code in upper case')

/** An amount in integer minor units (capped at Postgres `integer`, the columns' type). */
export const minorUnits = z.number().int().min(0).max(PG_INTEGER_MAX).describe('integer, minor units of the currency')

/** An instant with its offset, e.g. 2026-12-05T09:00:00Z. */
export const instant = z.iso.datetime({ offset: true })

/** A calendar date YYYY-MM-DD. */
export const calendarDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'YYYY-MM-DD')

/** Page size of a list (1-100, default 20). */
export const pageLimit = z.coerce.number().int().min(1).max(100).default(20)
