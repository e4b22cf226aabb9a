/**
 * Nights are calendar dates `YYYY-MM-DD` (the night starting that day, property-local). A stay
 * over nights n1..nk checks in on n1 and out the day after nk.
 */
export type Night = string

const NIGHT = /^\d{4}-\d{2}-\d{2}$/
const DAY_MS = 24 * 3600 * 1000

export function isNight(s: string): boolean {
  if (!NIGHT.test(s)) return false
  const d = new Date(`${s}T00:00:00Z`)
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s
}

export const addDays = (night: Night, days: number): Night =>
  new Date(Date.parse(`${night}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10)

/** Sorted, without duplicates. */
export const normaliseNights = (nights: readonly Night[]): Night[] => [...new Set(nights)].sort()

export function sameNights(a: readonly Night[], b: readonly Night[]): boolean {
  const x = normaliseNights(a)
  const y = normaliseNights(b)
  return x.length === y.length && x.every((n, i) => n === y[i]) && a.length === x.length
}

/** Check-in is the first night, check-out the morning after the last. */
export function stayOf(nights: readonly Night[]): { checkIn: Night; checkOut: Night } {
  const sorted = normaliseNights(nights)
  if (sorted.length === 0) throw new RangeError('a stay needs at least one night')
  return { checkIn: sorted[0]!, checkOut: addDays(sorted.at(-1)!, 1) }
}

/** The nights of a stay from check-in (inclusive) to check-out (exclusive). */
export function nightsBetween(checkIn: Night, checkOut: Night): Night[] {
  const out: Night[] = []
  for (let n = checkIn; n < checkOut && out.length <= 366; n = addDays(n, 1)) out.push(n)
  return out
}

/** The UTC calendar date of an instant. */
export const nightOf = (at: Date): Night => at.toISOString().slice(0, 10)
