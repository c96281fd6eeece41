/**
 * The run context asks its CommandRunner, not a copy of the server state, whether a
 * script may write (script.c's scriptPrepareForRun and scriptCall checks). A runner
 * that reports enough good replicas (or a read-only or stale replica) stands in for
 * real replication here; the differential test with a real replica lives elsewhere.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type RunningServer } from '../../src/index.js';
import { commandRunner } from '../../src/commands/script-runner.js';
import { ScriptingEngine } from '../../src/scripting/engine.js';
import { sha1hex } from '../../src/scripting/bridge.js';
import { ScriptFlag } from '../../src/scripting/metadata.js';
import { prepareForRun, type CommandRunner } from '../../src/scripting/run-context.js';
import { RespClient } from '../support/resp-client.js';

let lunakv: RunningServer;
let client: RespClient;

/** What the fake runner answers; `asked` counts the replica questions. */
const state = { enoughReplicas: true, readOnlyReplica: false, stale: false, asked: 0 };

function fakeRunner(): CommandRunner {
  const real = commandRunner(lunakv.server);
  return {
    lookup: (argv) => real.lookup(argv),
    call: (c, command, argv) => real.call(c, command, argv),
    enoughGoodReplicas: () => {
      state.asked++;
      return state.enoughReplicas;
    },
    replicaRefusesWrites: () => state.readOnlyReplica,
    staleReplica: () => state.stale,
  };
}

before(async () => {
  // min-replicas-to-write with a lag: the old scripting copy of the check said "no
  // replicas", so any EVAL write got NOREPLICAS whatever the replicas were.
  lunakv = await startServer({ port: 0, config: { 'min-replicas-to-write': '1', 'min-replicas-max-lag': '10' } });
  ScriptingEngine.install(lunakv.server, fakeRunner());
  client = await RespClient.connect(lunakv.port);
});

after(async () => {
  client.close();
  await lunakv.close();
});

/** A bulk string reply's bytes. */
function bulk(s: string): string {
  return `$${s.length}\r\n${s}\r\n`;
}

function reset(): void {
  Object.assign(state, { enoughReplicas: true, readOnlyReplica: false, stale: false, asked: 0 });
}

test('a write from EVAL runs when the runner reports enough good replicas', async () => {
  reset();
  assert.equal(await client.text('EVAL', "return redis.call('SET', KEYS[1], 'v')", '1', 'k'), '+OK\r\n');
  assert.equal(state.asked, 1);
  assert.equal(await client.text('GET', 'k'), '$1\r\nv\r\n');
});

test('a write from EVAL is refused with NOREPLICAS when the runner reports too few', async () => {
  reset();
  state.enoughReplicas = false;
  const script = "return redis.call('SET', KEYS[1], 'w')";
  assert.equal(
    await client.text('EVAL', script, '1', 'k2'),
    `-NOREPLICAS Not enough good replicas to write. script: ${sha1hex(script)}, on @user_script:1.\r\n`,
  );
  assert.equal(await client.text('EXISTS', 'k2'), ':0\r\n');
  // Reads do not ask, nor does a write once the script has written.
  state.asked = 0;
  assert.equal(await client.text('EVAL', "return redis.call('GET', 'k')", '0'), '$1\r\nv\r\n');
  assert.equal(state.asked, 0);
  state.enoughReplicas = true;
  const twoWrites = "redis.call('SET', 'a', '1') return redis.call('SET', 'b', '2')";
  assert.equal(await client.text('EVAL', twoWrites, '0'), '+OK\r\n');
  assert.equal(state.asked, 1);
});

test('redis.pcall gets the refusal as an error table', async () => {
  reset();
  state.enoughReplicas = false;
  const script = "local r = redis.pcall('SET', 'k3', 'v') return r['err']";
  assert.equal(await client.text('EVAL', script, '0'), bulk('NOREPLICAS Not enough good replicas to write.'));
});

test('a read-only replica refuses script writes; a stale one refuses non-stale commands', async () => {
  reset();
  state.readOnlyReplica = true;
  assert.equal(
    await client.text('EVAL', "return redis.pcall('SET', 'k4', 'v')['err']", '0'),
    bulk("READONLY You can't write against a read only replica."),
  );
  assert.equal(await client.text('EVAL', "return redis.pcall('GET', 'k4')", '0'), '$-1\r\n');
  reset();
  state.stale = true;
  // EVAL itself (no shebang) is refused before it runs, as Redis's scriptPrepareForRun does.
  assert.equal(
    await client.text('EVAL', 'return 1', '0'),
    "-MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.\r\n",
  );
  // A script allowed to run stale still may not call a command that is not.
  const staleScript = "#!lua flags=no-writes,allow-stale\nreturn redis.pcall('GET', 'k4')['err']";
  assert.equal(await client.text('EVAL', staleScript, '0'), bulk('ERR Can not execute the command on a stale replica'));
});

test('prepareForRun asks the same runner', () => {
  reset();
  const server = lunakv.server;
  const runner = fakeRunner();
  assert.equal(prepareForRun(server, runner, 0, false), null);
  state.enoughReplicas = false;
  assert.equal(prepareForRun(server, runner, 0, false)?.message, 'NOREPLICAS Not enough good replicas to write.');
  assert.equal(prepareForRun(server, runner, ScriptFlag.NO_WRITES, false), null);
  assert.equal(prepareForRun(server, runner, ScriptFlag.EVAL_COMPAT, false), null);
  assert.equal(prepareForRun(server, runner, 0, true)?.message, 'ERR Can not execute a script with write flag using *_ro command.');
  reset();
  state.readOnlyReplica = true;
  assert.equal(prepareForRun(server, runner, 0, false)?.message, 'READONLY Can not run script with write flag on readonly replica');
  reset();
  state.stale = true;
  assert.equal(
    prepareForRun(server, runner, ScriptFlag.NO_WRITES, false)?.message,
    "MASTERDOWN Link with MASTER is down, replica-serve-stale-data is set to 'no' and 'allow-stale' flag is not set on the script.",
  );
  assert.equal(prepareForRun(server, runner, ScriptFlag.NO_WRITES | ScriptFlag.ALLOW_STALE, false), null);
});
