/** What the benchmarks share: waiting for a spawned server to answer. */
import { RespClient } from '../test/support/resp-client.js';

/** A client to the server on `port`, once it answers PING (up to `tries` × 50 ms). */
export async function connectWhenUp(port: number, tries = 400): Promise<RespClient> {
  for (let i = 0; i < tries; i++) {
    try {
      const c = await RespClient.connect(port);
      await c.call('PING');
      return c;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  throw new Error(`server on ${port} did not start`);
}
