import { zValidator } from '@hono/zod-validator'
import type { ValidationTargets } from 'hono'
import type { ZodType } from 'zod'
import { HttpError } from './errors.ts'

/**
 * zod validation with the API's error shape: 400 VALIDATION_FAILED listing each field path and
 * what is wrong with it. Handlers then read `c.req.valid(target)` fully typed.
 */
export const validate = <T extends ZodType, Target extends keyof ValidationTargets>(target: Target, schema: T) =>
  zValidator(target, schema, (result) => {
    if (!result.success) {
      throw new HttpError(
        400,
        'VALIDATION_FAILED',
        `Invalid request ${target}`,
        result.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message, code: i.code })),
      )
    }
  })
