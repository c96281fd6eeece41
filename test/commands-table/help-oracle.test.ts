/**
 * Differential test: `<CMD> HELP` for every container command of the table that has a
 * HELP subcommand, against redis-server 7.0.15, byte for byte in RESP2 and RESP3. Also the
 * two errors around it that the dispatcher spells (HELP with an extra argument fails
 * the subcommand's arity; an unknown subcommand), so every text of addReplyHelp,
 * commandCheckArity and commandCheckExistence is compared.
 *
 * The list comes from the table, not from this file. A container whose HELP has no
 * lunakv handler gets no test case (it is listed in a diagnostic): Redis's reply there is its own
 * (CLUSTER: "cluster support disabled"; LATENCY, MODULE: their help) while ours is
 * "unknown command".
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { registerAllCommands } from '../../src/commands/index.js';
import { entryByFullName } from '../../src/commands/registry.js';
import { topLevelSpecs } from '../../src/commands/table/lookup.js';
import { pairPerFile, show } from '../support/oracle.js';
import type { RespClient } from '../support/resp-client.js';

registerAllCommands();

/** Every top-level command with a "help" subcommand, in table order. */
const CONTAINERS_WITH_HELP = topLevelSpecs()
  .filter((spec) => spec.subcommands !== undefined && Object.hasOwn(spec.subcommands, 'help'))
  .map((spec) => spec.name);
const compared = CONTAINERS_WITH_HELP.filter((name) => entryByFullName(`${name}|help`)?.handler != null);
const missing = CONTAINERS_WITH_HELP.filter((name) => !compared.includes(name));

const withPair = pairPerFile();

/** The command lines compared for one container. */
function linesFor(name: string): string[][] {
  const upper = name.toUpperCase();
  return [
    [upper, 'HELP'],
    [name, 'help'],
    [upper, 'HELP', 'extra'],
    [upper, 'NO-SUCH-SUBCOMMAND', 'x'],
  ];
}

async function resp3Pair(redis: RespClient, ours: RespClient): Promise<void> {
  await redis.call('HELLO', '3');
  await ours.call('HELLO', '3');
}

test('every container lunakv implements answers HELP', (t) => {
  t.diagnostic(`compared: ${compared.join(', ')}`);
  t.diagnostic(`not compared (no lunakv handler): ${missing.join(', ') || 'none'}`);
  assert.ok(compared.length > 0);
  // A container with some subcommand of its own but no HELP is a gap, not a skip.
  const partial = missing.filter((name) => (entryByFullName(name)?.subcommands?.size ?? 0) > 0);
  assert.deepEqual(partial, []);
});

// Only containers lunakv implements are cases: a skip is for a missing oracle only.
for (const name of compared) {
  test(
    `${name.toUpperCase()} HELP matches byte for byte (RESP2, RESP3)`,
    withPair(async (p) => {
      for (const line of linesFor(name)) await p.same(...line);
      const [redis, ours] = await p.connectBoth();
      try {
        await resp3Pair(redis, ours);
        for (const line of linesFor(name)) {
          const [r, o] = [await redis.call(...line), await ours.call(...line)];
          assert.equal(show(o), show(r), `RESP3 reply to ${JSON.stringify(line)}`);
        }
      } finally {
        redis.close();
        ours.close();
      }
    }),
  );
}
