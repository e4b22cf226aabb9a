import { readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import ts from 'typescript'
import { describe, expect, it } from 'vitest'
import { timingSafeEqual, timingSafeEqualString } from '../../../src/platform/crypto/constant-time.ts'

/**
 * Issue 7, "Hostile input", secrets: every signature, MAC, PIN, password or token comparison is
 * constant-time. The rule this scan enforces, kept precise so it has no false positives:
 *
 *   In src/ (TypeScript, parsed with the compiler, not grepped), an equality comparison
 *   (===, !==, ==, !=) is forbidden when
 *     - one operand is a name (identifier, `a.b`, or `a['b']`) whose LAST word, split on camelCase
 *       and underscores, is one of SECRET_WORDS (so `signature`, `expectedMac`, `body.mac`,
 *       `pin_hash` are caught, and `tokenEntry`, `macAddress`, `hashLength` are not), and
 *     - the other operand is not a literal (string, number, boolean, null, undefined, a template
 *       without substitutions) nor a `typeof` expression: `typeof mac !== 'string'` or
 *       `token === undefined` compare a shape, not a secret.
 *   src/platform/crypto/constant-time.ts is the one place allowed to compare bytes.
 *
 * Secret values must instead go through timingSafeEqual/timingSafeEqualString, PBKDF2 verify, or a
 * library verifier (jose's jwtVerify, QStash's Receiver: both verify HMACs with WebCrypto).
 */
const SECRET_WORDS = new Set([
  'signature',
  'sig',
  'mac',
  'hmac',
  'hash',
  'checksum',
  'digest',
  'token',
  'pin',
  'password',
  'passwd',
  'secret',
  'otp',
])
const ALLOWED_FILES = new Set(['src/platform/crypto/constant-time.ts'])
const ROOT = join(import.meta.dirname, '../../..')

const lastWord = (name: string) => {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .split(/[_\W]+/)
    .filter(Boolean)
  return (words.at(-1) ?? '').toLowerCase()
}

function nameOf(e: ts.Expression): string | null {
  while (ts.isParenthesizedExpression(e) || ts.isNonNullExpression(e) || ts.isAsExpression(e)) e = e.expression
  if (ts.isIdentifier(e)) return e.text === 'undefined' ? null : e.text
  if (ts.isPropertyAccessExpression(e)) return e.name.text
  if (ts.isElementAccessExpression(e) && ts.isStringLiteralLike(e.argumentExpression)) return e.argumentExpression.text
  return null
}

function isShapeOperand(e: ts.Expression): boolean {
  while (ts.isParenthesizedExpression(e)) e = e.expression
  return (
    ts.isLiteralExpression(e) ||
    ts.isNoSubstitutionTemplateLiteral(e) ||
    e.kind === ts.SyntaxKind.NullKeyword ||
    e.kind === ts.SyntaxKind.TrueKeyword ||
    e.kind === ts.SyntaxKind.FalseKeyword ||
    (ts.isIdentifier(e) && e.text === 'undefined') ||
    ts.isTypeOfExpression(e) ||
    (ts.isPrefixUnaryExpression(e) && ts.isNumericLiteral(e.operand))
  )
}

const EQUALITY = new Set([
  ts.SyntaxKind.EqualsEqualsEqualsToken,
  ts.SyntaxKind.ExclamationEqualsEqualsToken,
  ts.SyntaxKind.EqualsEqualsToken,
  ts.SyntaxKind.ExclamationEqualsToken,
])

/** Non-constant-time comparisons of secret-named values in one source text. */
function findSecretComparisons(fileName: string, text: string): string[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS)
  const found: string[] = []
  const visit = (node: ts.Node) => {
    if (ts.isBinaryExpression(node) && EQUALITY.has(node.operatorToken.kind)) {
      const sides = [node.left, node.right]
      if (!sides.some(isShapeOperand)) {
        const secretSide = sides.map(nameOf).find((n) => n !== null && SECRET_WORDS.has(lastWord(n)))
        if (secretSide) {
          const { line } = source.getLineAndCharacterOfPosition(node.getStart())
          found.push(`${fileName}:${line + 1}: ${node.getText().slice(0, 120)}`)
        }
      }
    }
    ts.forEachChild(node, visit)
  }
  visit(source)
  return found
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = join(dir, d.name)
    if (d.isDirectory()) return sourceFiles(p)
    return d.name.endsWith('.ts') && !d.name.endsWith('.d.ts') ? [p] : []
  })
}

describe('secret comparisons are constant-time', () => {
  it('the scanner catches what it must and nothing else', () => {
    const bad = [
      'if (signature === expected) {}',
      'if (computedMac !== body.mac) {}',
      "if (req['x_signature'] == sig) {}",
      'const ok = user.passwordHash === hashOf(input)',
      'return pin_hash != stored.pin_hash',
      'if (expectedToken === (header as string)) {}',
      'if (checksum! === other) {}',
    ]
    const good = [
      "if (typeof mac !== 'string') {}",
      'if (token === undefined || token === null) {}',
      "if (signature === '') {}",
      'if (p !== tokenEntry) {}',
      'if (macAddress === other) {}',
      'if (hashLength === 32) {}',
      'if (diff === 0) {}',
      'if (timingSafeEqualString(signature, expected)) {}',
      'if (a.length !== b.length) {}',
    ]
    for (const code of bad) expect(findSecretComparisons('bad.ts', code), code).toHaveLength(1)
    for (const code of good) expect(findSecretComparisons('good.ts', code), code).toEqual([])
  })

  it('no === or !== on a signature, MAC, hash, checksum, token, PIN or password anywhere in src/', () => {
    const files = sourceFiles(join(ROOT, 'src'))
    expect(files.length).toBeGreaterThan(100)
    const violations = files
      .map((f) => relative(ROOT, f))
      .filter((f) => !ALLOWED_FILES.has(f))
      .flatMap((f) => findSecretComparisons(f, readFileSync(join(ROOT, f), 'utf8')))
    expect(violations).toEqual([])
  })

  // Every verifier of the service, and what it verifies with.
  const VERIFIERS: Array<{ file: string; uses: RegExp; what: string }> = [
    { file: 'src/platform/crypto/pbkdf2-hasher.ts', uses: /timingSafeEqual\(/, what: 'PINs and passwords (PBKDF2 verify)' },
    { file: 'src/payments/adapters/paystack-gateway.ts', uses: /timingSafeEqualString\(/, what: 'x-paystack-signature (HMAC-SHA512)' },
    { file: 'src/bookings/adapters/zalopay-mac.ts', uses: /timingSafeEqualString\(/, what: 'ZaloPay key1/key2 MACs' },
    { file: 'src/loyalty/adapters/paypay-client.ts', uses: /jwtVerify\(/, what: "PayPay's responseToken (jose HS256 verify, WebCrypto)" },
    { file: 'src/platform/auth.ts', uses: /jwtVerify\(/, what: 'bearer tokens (jose)' },
    { file: 'src/platform/http/jobs.ts', uses: /new Receiver\(/, what: "QStash's Upstash-Signature (its Receiver, jose)" },
  ]
  it.each(VERIFIERS)('$file verifies $what with a constant-time primitive', ({ file, uses }) => {
    expect(readFileSync(join(ROOT, file), 'utf8')).toMatch(uses)
  })

  it('timingSafeEqual: equal only for the same bytes, whatever the lengths', () => {
    const b = (s: string) => new TextEncoder().encode(s)
    expect(timingSafeEqual(b('abc'), b('abc'))).toBe(true)
    expect(timingSafeEqual(b('abc'), b('abd'))).toBe(false)
    expect(timingSafeEqual(b('abc'), b('abcd'))).toBe(false)
    expect(timingSafeEqual(b(''), b('\u0000'))).toBe(false)
    expect(timingSafeEqualString('', '')).toBe(true)
    expect(timingSafeEqualString('é', 'e\u0301')).toBe(false)
  })
})
