import type { HonoRequest } from 'hono'
import type { NotificationBody } from './use-cases/cashback-notification.ts'

/** Form keys we accept as a form body (`a=b&c[d]=e`); anything else with an `=` in it is garbage. */
const FORM_KEY = /^[\w.[\]-]{1,100}$/

const UNREADABLE: NotificationBody = { readable: false }

/**
 * Decodes a PayPay notification whatever its Content-Type says: a JSON object or array, an
 * `application/x-www-form-urlencoded` or `multipart/form-data` form, or a form sent under another
 * type. A JSON scalar, an empty body, bytes that are neither are unreadable (and then ignored).
 */
export async function readNotificationBody(req: HonoRequest): Promise<NotificationBody> {
  const type = (req.header('content-type') ?? '').toLowerCase()
  if (type.startsWith('multipart/form-data')) {
    const form = await req.parseBody({ all: true }).catch(() => null)
    return form && Object.keys(form).length > 0 ? { readable: true, value: form } : UNREADABLE
  }
  const text = (await req.text().catch(() => '')).trim()
  if (text === '') return UNREADABLE
  try {
    const value: unknown = JSON.parse(text)
    return value !== null && typeof value === 'object' ? { readable: true, value } : UNREADABLE
  } catch {
    // Not JSON: a form, or garbage.
  }
  const form = new URLSearchParams(text)
  const keys = [...form.keys()]
  const saysForm = type.startsWith('application/x-www-form-urlencoded')
  if (keys.length === 0 || !keys.every((k) => FORM_KEY.test(k)) || !(saysForm || text.includes('='))) return UNREADABLE
  const value: Record<string, string | string[]> = {}
  for (const k of new Set(keys)) {
    const all = form.getAll(k)
    value[k] = all.length === 1 ? all[0]! : all
  }
  return { readable: true, value }
}
