import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { describe, expect, it } from 'vitest'

/**
 * The hexagon's rule: domain, use cases, ports and the shared kernel import no runtime (no
 * cloudflare:*, node:*, Deno) and no adapter, platform code or infrastructure package.
 */
const SRC = join(import.meta.dirname, '../../src')
const CORE = /(^|\/)(domain|use-cases)\/|(^|\/)ports\.ts$|^shared\//
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

export function violations(file: string, source: string): string[] {
  const found: string[] = []
  for (const m of source.matchAll(/(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)) {
    const spec = m[1] ?? m[2]!
    if (FORBIDDEN_IMPORT.some((re) => re.test(spec))) found.push(`${file} imports ${spec}`)
  }
  const code = source.replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '')
  if (RUNTIME_GLOBAL.test(code)) found.push(`${file} uses a runtime global (${RUNTIME_GLOBAL.exec(code)![0]})`)
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
})
