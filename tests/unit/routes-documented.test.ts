import { describe, expect, it } from 'vitest'
import { createApp, documentedOperations } from '../../src/app.ts'

/**
 * The OpenAPI document is what the fuzzing and authorisation suites walk, so a route missing from it
 * is a route those suites never call. Every route the app serves is in the document, and nothing is
 * documented that the app does not serve; the only exceptions are the pages below, each with why.
 */
const NOT_API: Record<string, string> = {
  'GET /openapi.json': 'the document itself',
  'GET /docs': 'the HTML page that renders the document',
  'GET /dev/mailbox': 'a development page (DEV_MAILBOX=true only), not part of the API',
  'GET /admin/loyalty/history': 'an HTML admin page that calls documented admin routes',
  'GET /admin/loyalty/history.js': 'the script of that page',
}

describe('routes and the OpenAPI document', () => {
  const app = createApp(() => {
    throw new Error('no request is served here')
  })
  const served = new Set(app.routes.filter((r) => r.method !== 'ALL').map((r) => `${r.method} ${r.path}`))
  const documented = new Set(documentedOperations().map((d) => `${d.method.toUpperCase()} ${d.path}`))

  it('documents every route the app serves', () => {
    expect([...served].filter((r) => !documented.has(r) && !(r in NOT_API))).toEqual([])
  })

  it('documents nothing the app does not serve', () => {
    expect([...documented].filter((r) => !served.has(r))).toEqual([])
  })

  it('lists as pages only routes that exist', () => {
    expect(Object.keys(NOT_API).filter((r) => !served.has(r))).toEqual([])
  })
})
