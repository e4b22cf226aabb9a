/** The database the Node tools use when DATABASE_URL is not set: the machine's local Postgres. */
export const DEFAULT_DATABASE_URL = 'postgres://postgres:postgres@127.0.0.1:5432/edge_payments'

export const databaseUrl = (): string => process.env['DATABASE_URL'] || DEFAULT_DATABASE_URL
