/**
 * QStash's schedule expressions: five-field cron (minute hour day-of-month month day-of-week),
 * evaluated in UTC unless prefixed with `CRON_TZ=<IANA zone> ` (QStash's timezone syntax, e.g.
 * `CRON_TZ=Asia/Tokyo 0 0 * * *`; `TZ=` is read the same way). Parsing and matching are croner's,
 * in Vixie-cron mode: when both day fields are restricted, a day matches if either does.
 */
import { Cron as Croner } from 'croner'

export interface Cron {
  /** The IANA zone the fields are read in. */
  readonly timezone: string
  /** Whether the schedule fires in the minute that contains `at`. */
  matches(at: Date): boolean
}

const TZ_PREFIX = /^(?:CRON_)?TZ=(\S+)\s+/

export function parseCron(expr: string): Cron {
  const trimmed = expr.trim()
  const timezone = TZ_PREFIX.exec(trimmed)?.[1] ?? 'UTC'
  // Fails fast on an unknown zone (croner would only fail at the first match).
  new Intl.DateTimeFormat('en', { timeZone: timezone })
  const cron = new Croner(trimmed.replace(TZ_PREFIX, ''), { mode: '5-part', timezone, domAndDow: false })
  return {
    timezone,
    matches: (at) => cron.match(new Date(Math.floor(at.getTime() / 60_000) * 60_000)),
  }
}
