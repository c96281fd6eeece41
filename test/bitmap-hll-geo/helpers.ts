/**
 * Shared helpers for the bitmap, HyperLogLog and geo differential tests.
 */
import type { Pair } from '../support/oracle.js';

export type Command = (string | number)[];

/** Runs every command through pair.same in RESP2, then again (after FLUSHALL) in RESP3. */
export async function sameInBothProtocols(pair: Pair, commands: Command[]): Promise<void> {
  for (const proto of ['2', '3']) {
    await pair.both('HELLO', proto);
    await pair.both('FLUSHALL');
    for (const c of commands) await pair.same(...c);
  }
  await pair.both('HELLO', '2');
}

/** A small deterministic PRNG (mulberry32) so randomized sequences are reproducible. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randInt(rand: () => number, lo: number, hi: number): number {
  return lo + Math.floor(rand() * (hi - lo + 1));
}
