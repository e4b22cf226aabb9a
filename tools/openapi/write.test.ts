import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, it } from 'vitest'
import { openApiDocument } from '../../src/app.ts'

it('npm run openapi writes the document the app serves', () => {
  const dir = mkdtempSync(join(tmpdir(), 'openapi-'))
  try {
    const out = join(dir, 'openapi.json')
    execFileSync('npx', ['tsx', 'tools/openapi/write.ts', out], { env: { ...process.env, PUBLIC_BASE_URL: 'https://api.example.test' } })
    const written = JSON.parse(readFileSync(out, 'utf8')) as Record<string, unknown>
    expect(written).toEqual(openApiDocument('https://api.example.test'))
    expect(Object.keys(written['paths'] as object).length).toBeGreaterThan(50)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})
