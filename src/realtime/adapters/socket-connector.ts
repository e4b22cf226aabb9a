/**
 * Opens a user's WebSocket once the edge has authenticated the token: a Durable Object per user
 * on Workers, the in-process hub on Deno. Answers the upgrade response (101).
 */
export interface SocketConnector {
  connect(request: Request, opts: { userId: string; protocol: string | null; lastSeq: number | null }): Promise<Response>
}
