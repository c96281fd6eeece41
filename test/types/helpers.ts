/**
 * Shared helpers for the data-type differential tests.
 */
import assert from 'node:assert/strict';
import type { Pair } from '../support/oracle.js';
import { replyLeaves } from '../support/resp-decode.js';

export type Command = (string | number)[];

/** Runs every command through pair.same, first in RESP2 then (after FLUSHALL) in RESP3. */
export async function sameInBothProtocols(pair: Pair, commands: Command[]): Promise<void> {
  for (const proto of ['2', '3']) {
    await pair.same('HELLO', proto === '2' ? '2' : '3').catch(async () => {
      // HELLO's reply includes server details that differ: just switch both.
      await pair.both('HELLO', proto);
    });
    await pair.both('FLUSHALL');
    for (const c of commands) await pair.same(...c);
  }
  await pair.both('HELLO', '2');
}

/** Asserts both servers return the same elements, in any order (unordered replies). */
export async function sameUnordered(pair: Pair, ...args: Command): Promise<void> {
  const [r, o] = await pair.both(...args);
  const rt = r.toString('latin1');
  const ot = o.toString('latin1');
  assert.equal(ot[0], rt[0], `reply type to ${JSON.stringify(args)}: ${ot} vs ${rt}`);
  assert.deepEqual(replyLeaves(o).sort(), replyLeaves(r).sort(), `reply to ${JSON.stringify(args)}`);
}

/** Asserts both replies are arrays of the same length (random replies). */
export async function sameLength(pair: Pair, ...args: Command): Promise<void> {
  const [r, o] = await pair.both(...args);
  assert.equal(replyLeaves(o).length, replyLeaves(r).length, `reply length to ${JSON.stringify(args)}`);
  assert.equal(o.toString('latin1').split('\r\n')[0], r.toString('latin1').split('\r\n')[0], `reply header to ${JSON.stringify(args)}`);
}
