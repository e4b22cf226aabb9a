import postgres from 'postgres'
export default {
  async fetch(req: Request, env: any) {
    const sql = postgres(env.HYPERDRIVE.connectionString, { max: 5, fetch_types: false, prepare: true })
    const r = await sql`select 1 + 1 as two, current_database() as db`
    const up = await fetch(new URL('/', env.PROBE_URL ?? 'http://127.0.0.1:1'), {}).then(r => r.status).catch(e => String(e))
    return Response.json({ r, up })
  },
}
