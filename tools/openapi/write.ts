/**
 * `npm run openapi`: writes the OpenAPI 3.1 document the app serves at /openapi.json to a file
 * (default openapi.json at the project root, or the path given), for front ends' code generators
 * and API tools that want a file rather than a running server. PUBLIC_BASE_URL sets its server URL.
 */
import { writeFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { openApiDocument } from '../../src/app.ts'

const out = resolve(process.argv[2] ?? 'openapi.json')
const doc = openApiDocument(process.env['PUBLIC_BASE_URL'])
writeFileSync(out, `${JSON.stringify(doc, null, 2)}\n`)
const operations = Object.values(doc['paths'] as Record<string, object>).reduce((n, ops) => n + Object.keys(ops).length, 0)
console.log(`OpenAPI document with ${operations} operations written to ${out}`)
