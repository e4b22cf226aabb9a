import type { Redis } from '@upstash/redis'

/**
 * The scheduled `platform.heartbeat` job stamps the time it ran; /health shows it, so an operator
 * sees at a glance whether QStash schedules are reaching the service.
 */
const KEY = 'platform:heartbeat'

export const recordHeartbeat = async (redis: Redis, at: Date) => {
  await redis.set(KEY, at.toISOString())
  return { at: at.toISOString() }
}

/** Redis reachability and the last heartbeat in one HTTP call (Upstash is HTTP: calls are round trips). */
export const pingWithHeartbeat = async (redis: Redis): Promise<string | null> => {
  const [, beat] = await redis.pipeline().ping().get<string>(KEY).exec<[string, string | null]>()
  return beat
}
