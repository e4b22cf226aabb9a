import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, posix, relative } from 'node:path'
import { describe, expect, it } from 'vitest'

/**
 * The hexagon's rule: domain, use cases, ports, each context's deps.ts and the shared kernel import
 * no runtime (no cloudflare:*, node:*, Deno) and no adapter, platform code or infrastructure package.
 */
const SRC = join(import.meta.dirname, '../../src')
const CORE = /(^|\/)(domain|use-cases)\/|(^|\/)ports\.ts$|^[a-z-]+\/deps\.ts$|^shared\//
const FORBIDDEN_IMPORT = [
  /^cloudflare:/,
  /^node:/,
  /^(npm|jsr):/,
  /(^|\/)adapters\//,
  /(^|\/)platform\//,
  /(^|\/)db\//,
  /\/(container|app|worker|deno)\.ts$/,
  /^(hono|@hono\/|drizzle-orm|postgres|@upstash\/|jose|zod)/,
]
const RUNTIME_GLOBAL = /\b(Deno\.|process\.|Bun\.|require\()/

/** Every module a source names: static imports, re-exports and dynamic imports. */
const importsOf = (source: string): string[] =>
  [...source.matchAll(/(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => m[1] ?? m[2]!)

// biome-ignore lint/suspicious/noExportsInTest: the rule is exported for the test that plants violations
export function violations(file: string, source: string): string[] {
  const found: string[] = []
  for (const spec of importsOf(source)) {
    if (FORBIDDEN_IMPORT.some((re) => re.test(spec))) found.push(`${file} imports ${spec}`)
  }
  const code = source.replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '')
  if (RUNTIME_GLOBAL.test(code)) found.push(`${file} uses a runtime global (${RUNTIME_GLOBAL.exec(code)![0]})`)
  return found
}

/**
 * The contexts' boundaries: a context reaches another only through that context's ports.ts (the
 * interfaces it implements or needs), its domain types (the shared vocabulary: ids, value objects),
 * or a small public index.ts (what it offers that is not a port, e.g. the carts' guest-cart merge a
 * login runs), never its adapters, use cases, http files, wiring or jobs; so a context's insides can
 * change without reading the others. Each context's wiring reaches the others through the container
 * (`deps.orders.orders`), never by importing their adapters. `src/shared` imports no context at all.
 * Files are paths relative to src/ (`orders/adapters/x.ts`); contexts are src's folders other than
 * these.
 */
const NOT_CONTEXTS = new Set(['platform', 'shared', 'db'])
const PUBLIC_SURFACE = /^[^/]+\/(ports\.ts|index\.ts|domain\/.+)$/

// biome-ignore lint/suspicious/noExportsInTest: the rule is exported for the test that plants violations
export function boundaryViolations(file: string, source: string, contexts: ReadonlySet<string>): string[] {
  const from = file.split('/')[0]!
  const inContext = contexts.has(from)
  if (!inContext && from !== 'shared') return []
  const found: string[] = []
  for (const spec of importsOf(source)) {
    if (!spec.startsWith('.')) continue
    const target = posix.normalize(posix.join(posix.dirname(file), spec))
    const to = target.split('/')[0]!
    if (!contexts.has(to) || to === from) continue
    if (from === 'shared') found.push(`${file} imports ${spec}: the shared kernel imports no context`)
    else if (!PUBLIC_SURFACE.test(target))
      found.push(`${file} imports ${spec}: another context only through its ports.ts, domain/ or index.ts`)
  }
  return found
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name)
    return statSync(p).isDirectory() ? walk(p) : p.endsWith('.ts') ? [p] : []
  })
}

describe('architecture', () => {
  const coreFiles = walk(SRC)
    .map((p) => relative(SRC, p))
    .filter((p) => CORE.test(p))

  it('finds the core files it guards', () => {
    expect(coreFiles).toContain('gifts/domain/gift.ts')
    expect(coreFiles).toContain('gifts/use-cases/redeem-gift.ts')
    expect(coreFiles).toContain('gifts/ports.ts')
    expect(coreFiles).toContain('bookings/deps.ts')
    expect(coreFiles).toContain('shared/result.ts')
  })

  it('core code imports no runtime, adapter or infrastructure package', () => {
    const all = coreFiles.flatMap((f) => violations(f, readFileSync(join(SRC, f), 'utf8')))
    expect(all).toEqual([])
  })

  it('the rule catches what it forbids', () => {
    expect(violations('x.ts', "import { connect } from 'cloudflare:sockets'")).toHaveLength(1)
    expect(violations('x.ts', "import { readFile } from 'node:fs/promises'")).toHaveLength(1)
    expect(violations('x.ts', "import { Repo } from '../adapters/drizzle-repo.ts'")).toHaveLength(1)
    expect(violations('x.ts', "import type { Db } from '../../platform/db.ts'")).toHaveLength(1)
    expect(violations('x.ts', "import { Redis } from '@upstash/redis'")).toHaveLength(1)
    expect(violations('x.ts', 'const port = Deno.env.get("PORT")')).toHaveLength(1)
    expect(violations('x.ts', "import { ok } from '../../shared/result.ts'")).toEqual([])
  })

  const contexts = new Set(readdirSync(SRC).filter((name) => statSync(join(SRC, name)).isDirectory() && !NOT_CONTEXTS.has(name)))

  it('finds the contexts whose boundaries it guards', () => {
    expect([...contexts]).toEqual(
      expect.arrayContaining(['gifts', 'identity', 'catalog', 'carts', 'orders', 'inventory', 'payments', 'loyalty']),
    )
    expect(contexts.has('shared')).toBe(false)
  })

  it('a context imports another only through its ports, domain types or public index; shared imports no context', () => {
    const all = walk(SRC)
      .map((p) => relative(SRC, p).split('\\').join('/'))
      .flatMap((f) => boundaryViolations(f, readFileSync(join(SRC, f), 'utf8'), contexts))
    expect(all).toEqual([])
  })

  it('the boundary rule catches what it forbids', () => {
    const check = (file: string, line: string) => boundaryViolations(file, line, contexts)
    // Another context's adapters, use cases, http files and wiring: refused, static or dynamic.
    expect(
      check('orders/adapters/order-placement-sql.ts', "import { variantMap } from '../../catalog/adapters/variant-snapshot.ts'"),
    ).toHaveLength(1)
    expect(check('identity/http.ts', "import { mergeGuestCart } from '../carts/use-cases/merge-guest-cart.ts'")).toHaveLength(1)
    expect(check('identity/http.ts', "import { CartView } from '../carts/http.ts'")).toHaveLength(1)
    expect(check('payments/wiring.ts', "export { wireOrders } from '../orders/wiring.ts'")).toHaveLength(1)
    expect(check('payments/jobs.ts', "const m = await import('../bookings/jobs.ts')")).toHaveLength(1)
    expect(check('gifts/http/admin.ts', "import { x } from '../../payments/http/index.ts'")).toHaveLength(1)
    // The shared kernel imports no context, not even its domain.
    expect(check('shared/money.ts', "import type { OrderId } from '../orders/domain/order.ts'")).toHaveLength(1)
    // Allowed: ports, domain types, a public index, the same context, the platform and packages.
    expect(check('payments/deps.ts', "import type { OrderRepository } from '../orders/ports.ts'")).toEqual([])
    expect(check('carts/http.ts', "import type { VariantId } from '../catalog/domain/variant.ts'")).toEqual([])
    expect(check('identity/http.ts', "import { mergeGuestCart } from '../carts/index.ts'")).toEqual([])
    expect(check('orders/adapters/x.ts', "import { orderLifecycle } from '../domain/order.ts'")).toEqual([])
    expect(check('orders/adapters/x.ts', "import { sql } from 'drizzle-orm'")).toEqual([])
    expect(check('orders/adapters/x.ts', "import { variantMap } from '../../db/variant-snapshot.ts'")).toEqual([])
  })
})
