/**
 * Every payload-level fact in vectors.json (recorded from redis-server 7.0.15).
 * Outcomes that need the Lua engine or the live library set (compile errors, metadata
 * errors, collisions) are only checked as far as the payload goes: the decoder must
 * extract the library code, proven by re-encoding it to the very same bytes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  FunctionPayloadErrors,
  decodeFunctionsPayload,
  encodeFunctionsPayload,
  verifyDumpPayload,
} from '../../src/persistence/function-payload.js';
import { crc64 } from '../../src/persistence/crc64.js';

interface HexValue {
  hex: string;
}
interface Library {
  code: string | null;
  code_hex: string;
  length: number;
}
interface RecordInfo {
  encoding: 'raw' | 'lzf';
  header_hex: string;
}
interface PositiveVector {
  id: string;
  rdbcompression: 'yes' | 'no';
  libraries_in_load_order: Library[];
  dump_hex: string;
  dump_record_order_as_load_order_indexes: number[];
  records: RecordInfo[];
  footer: { version: number; crc64_value_hex: string };
}
interface ListedLibrary {
  library_code: string;
}
interface RestoreOnlyVector {
  id: string;
  payload_hex: string;
  reply: { status: string } | { error: string };
  function_list_normalized_after: ListedLibrary[];
  dump_after_restore_hex: string;
}
interface NegativeVector {
  id: string;
  payload_hex: string;
  policy: string | null;
  expected_reply: { error: string };
}
interface ScenarioStep {
  cmd?: Array<string | HexValue>;
  reply?: unknown;
  state?: ListedLibrary[];
}
interface Vectors {
  crc64_check: Array<{ input_ascii?: string; input_hex?: string; crc64_hex: string }>;
  positive: PositiveVector[];
  restore_only: RestoreOnlyVector[];
  negative: NegativeVector[];
  scenarios: Array<{ id: string; steps: ScenarioStep[] }>;
}

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const fixturePath = path.resolve(repoRoot, 'test/fixtures/functions-payload-vectors.json');
const sharedPath = path.resolve(repoRoot, '../shared/functions-payload/vectors.json');
const fixtureText = readFileSync(fixturePath, 'utf8');
const vectors = JSON.parse(fixtureText) as Vectors;

const hexBytes = (hex: string): Buffer => Buffer.from(hex, 'hex');
const codeOf = (library: Library): string => hexBytes(library.code_hex).toString('latin1');
/** Library code as lunakv holds it (bytes as latin1 chars); JSON text in vectors is UTF-8. */
const latin1FromUtf8 = (text: string): string => Buffer.from(text, 'utf8').toString('latin1');
const sorted = (codes: readonly string[]): string[] => [...codes].sort();

function decodeOk(payload: Buffer, what: string): string[] {
  const result = decodeFunctionsPayload(payload);
  assert.ok(result.ok, `${what}: expected a well-formed payload, got ${result.ok ? '' : result.error}`);
  return result.libraries;
}

/** Errors decided by the payload bytes alone (footer, framing, string encodings). */
const PAYLOAD_LEVEL_ERRORS = new Set<string>(Object.values(FunctionPayloadErrors));
const POLICY_ERROR = 'ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.';

test('the fixture copy is identical to the shared vectors (when shared/ is present)', (t) => {
  if (!existsSync(sharedPath)) {
    t.skip(`${sharedPath} not present; using the fixture copy only`);
    return;
  }
  assert.equal(readFileSync(sharedPath, 'utf8'), fixtureText);
});

test('crc64_check vectors', () => {
  assert.ok(vectors.crc64_check.length >= 2);
  for (const check of vectors.crc64_check) {
    const input = check.input_ascii !== undefined ? Buffer.from(check.input_ascii, 'latin1') : hexBytes(check.input_hex!);
    assert.equal(crc64(input).toString(16).padStart(16, '0'), check.crc64_hex);
  }
});

test('positive vectors: FUNCTION DUMP output is byte-identical, and decodes back', (t) => {
  let passed = 0;
  for (const vector of vectors.positive) {
    const codes = vector.libraries_in_load_order.map(codeOf);
    vector.libraries_in_load_order.forEach((library) => {
      if (library.code !== null) assert.equal(codeOf(library), latin1FromUtf8(library.code));
      assert.equal(codeOf(library).length, library.length);
    });
    // Redis's record order is its dict order; reproduce it to compare bytes.
    const inServerOrder = vector.dump_record_order_as_load_order_indexes.map((index) => codes[index]!);
    const compression = vector.rdbcompression === 'yes';
    const encoded = encodeFunctionsPayload(inServerOrder, { compression });
    assert.equal(encoded.toString('hex'), vector.dump_hex, vector.id);

    // Each record's header (raw/LZF form and lengths) matches, library by library.
    vector.records.forEach((record, index) => {
      const single = encodeFunctionsPayload([inServerOrder[index]!], { compression });
      assert.equal(single.subarray(1, 1 + record.header_hex.length / 2).toString('hex'), record.header_hex);
      assert.equal(single[1]! === 0xc3, record.encoding === 'lzf', `${vector.id} record ${index}`);
    });

    const payload = hexBytes(vector.dump_hex);
    assert.equal(payload.readUInt16LE(payload.length - 10), vector.footer.version);
    assert.equal(payload.readBigUInt64LE(payload.length - 8).toString(16).padStart(16, '0'), vector.footer.crc64_value_hex);
    assert.deepEqual(decodeOk(payload, vector.id), inServerOrder);
    assert.deepEqual(sorted(decodeOk(payload, vector.id)), sorted(codes));
    passed++;
  }
  assert.equal(passed, vectors.positive.length);
  t.diagnostic(`positive: ${passed}/${vectors.positive.length} byte-identical`);
});

test('restore_only vectors: the decoder extracts the right library code', (t) => {
  let accepted = 0;
  let engineLevel = 0;
  for (const vector of vectors.restore_only) {
    const payload = hexBytes(vector.payload_hex);
    const libraries = decodeOk(payload, vector.id);
    if ('status' in vector.reply) {
      // The server started empty, so afterwards it holds exactly the payload's libraries.
      const listed = vector.function_list_normalized_after.map((library) => latin1FromUtf8(library.library_code));
      assert.deepEqual(sorted(libraries), sorted(listed), vector.id);
      // DUMP after the restore re-encodes them the normal way (0xF6 becomes 0xF5, raw
      // becomes LZF, wide lengths become short): our encoder agrees byte for byte.
      const dumpAfter = hexBytes(vector.dump_after_restore_hex);
      const serverOrder = decodeOk(dumpAfter, `${vector.id} dump after`);
      assert.equal(encodeFunctionsPayload(serverOrder).toString('hex'), vector.dump_after_restore_hex);
      accepted++;
    } else {
      // Refused later by metadata parsing, which needs the engine layer.
      engineLevel++;
      if (vector.id === 'string_reads_into_footer') {
        // F5 05 "ab" + footer: the 5-byte string swallows "ab" and 3 footer bytes.
        assert.deepEqual(libraries, [payload.subarray(2, 7).toString('latin1')]);
      }
      assert.ok(libraries.length > 0);
    }
  }
  assert.equal(accepted + engineLevel, vectors.restore_only.length);
  t.diagnostic(`restore_only: ${accepted} accepted payloads match; ${engineLevel} fail later at the engine (code extracted)`);
});

test('negative vectors: payload-level errors are exact, others yield the library code', (t) => {
  let payloadLevel = 0;
  let policyLevel = 0;
  const engineLevel = new Map<string, number>();
  for (const vector of vectors.negative) {
    const payload = hexBytes(vector.payload_hex);
    const expected = vector.expected_reply.error;
    const result = decodeFunctionsPayload(payload);

    if (expected === POLICY_ERROR) {
      // Decided by the command before the payload is looked at.
      assert.ok(vector.policy !== null && !/^(append|replace|flush)$/i.test(vector.policy), vector.id);
      policyLevel++;
      continue;
    }
    if (PAYLOAD_LEVEL_ERRORS.has(expected)) {
      assert.equal(result.ok, false, vector.id);
      if (!result.ok) assert.equal(result.error, expected, vector.id);
      payloadLevel++;
      continue;
    }
    // Well-formed payload: re-encoding the extracted code reproduces it exactly, which
    // proves every library was extracted byte for byte.
    assert.ok(result.ok, `${vector.id}: ${result.ok ? '' : result.error}`);
    if (result.ok) {
      assert.ok(result.libraries.length > 0, vector.id);
      assert.equal(encodeFunctionsPayload(result.libraries).toString('hex'), vector.payload_hex, vector.id);
    }
    const category = expected.replace(/'[^']*'|\b(L\d|f\d)\b|user_function:.*/g, '…');
    engineLevel.set(category, (engineLevel.get(category) ?? 0) + 1);
  }
  const engineCount = [...engineLevel.values()].reduce((a, b) => a + b, 0);
  assert.equal(payloadLevel + policyLevel + engineCount, vectors.negative.length);
  assert.ok(payloadLevel >= 19, `payload-level vectors found: ${payloadLevel}`);
  t.diagnostic(
    `negative: ${payloadLevel} payload-level exact, ${policyLevel} policy (command-level), ` +
      `${engineCount} need the engine/live state (code extracted)`,
  );
  for (const [category, count] of engineLevel) t.diagnostic(`  engine-level ${count}x: ${category}`);
});

test('a wrong footer is the same error whatever is wrong, and a zero CRC is not special', () => {
  const good = encodeFunctionsPayload(["#!lua name=x\nredis.register_function('f', function() return 1 end)"]);
  assert.ok(verifyDumpPayload(good));
  const zeroCrc = Buffer.from(good);
  zeroCrc.fill(0, zeroCrc.length - 8);
  assert.deepEqual(decodeFunctionsPayload(zeroCrc), {
    ok: false,
    error: FunctionPayloadErrors.badFooter,
    librariesBeforeError: [],
  });
  // skipChecksum (DEBUG SET-SKIP-CHECKSUM-VALIDATION 1) skips the CRC, not the version.
  assert.ok(verifyDumpPayload(zeroCrc, { skipChecksum: true }));
  const newer = encodeFunctionsPayload([], { version: 11 });
  assert.ok(!verifyDumpPayload(newer, { skipChecksum: true }));
  assert.ok(verifyDumpPayload(newer, { maxVersion: 11 }));
});

test('records read before a framing error are reported with it', () => {
  const code = "#!lua name=x\nredis.register_function('f', function() return 1 end)";
  const good = encodeFunctionsPayload([code]);
  // Insert a junk opcode between the record and the footer, then fix the footer.
  const body = Buffer.concat([good.subarray(0, good.length - 10), Buffer.from([0x00])]);
  const withJunk = Buffer.concat([body, Buffer.alloc(10)]);
  withJunk.writeUInt16LE(10, body.length);
  withJunk.writeBigUInt64LE(crc64(withJunk, 0, body.length + 2), body.length + 2);
  assert.deepEqual(decodeFunctionsPayload(withJunk), {
    ok: false,
    error: FunctionPayloadErrors.notAFunction,
    librariesBeforeError: [code],
  });
});

test('pre-GA 0xF6 records: every truncation point gives its own error', () => {
  const field = (text: string): Buffer => Buffer.concat([Buffer.from([text.length]), Buffer.from(text, 'latin1')]);
  const withFooter = (body: Buffer): Buffer => {
    const out = Buffer.concat([body, Buffer.alloc(10)]);
    out.writeUInt16LE(10, body.length);
    out.writeBigUInt64LE(crc64(out, 0, body.length + 2), body.length + 2);
    return out;
  };
  const blob = "redis.register_function('oldf', function() return 'old' end)";
  const parts = [Buffer.from([0xf6]), field('oldlib'), field('LUA'), Buffer.from([1]), field('a description'), field(blob)];
  const full = withFooter(Buffer.concat(parts));
  assert.deepEqual(decodeOk(full, 'pre-GA'), [`#!LUA name=oldlib\n${blob}`]);

  // Cut inside each field; the reader runs into the footer and then past the end.
  // A 0x3f length byte asks for 63 bytes, more than the footer can provide.
  const expectations: Array<[number, string]> = [
    [1, FunctionPayloadErrors.preGaName],
    [2, FunctionPayloadErrors.preGaEngine],
    [4, FunctionPayloadErrors.preGaDescription],
    [5, FunctionPayloadErrors.preGaBlob],
  ];
  for (const [fieldIndex, error] of expectations) {
    const truncated = withFooter(Buffer.concat([...parts.slice(0, fieldIndex), Buffer.from([0x3f])]));
    const result = decodeFunctionsPayload(truncated);
    assert.deepEqual(result, { ok: false, error, librariesBeforeError: [] }, error);
  }
  // The indicator is a length: an unknown length form fails it.
  const badIndicator = withFooter(Buffer.concat([...parts.slice(0, 3), Buffer.from([0x82])]));
  assert.deepEqual(decodeFunctionsPayload(badIndicator), {
    ok: false,
    error: FunctionPayloadErrors.preGaDescriptionIndicator,
    librariesBeforeError: [],
  });
  // has_desc = 0: no description field. Fields are cut at a NUL, as sdscatfmt's %s does.
  const noDescription = withFooter(
    Buffer.concat([Buffer.from([0xf6]), field('lib\0junk'), field('LUA'), Buffer.from([0]), field('body\0tail')]),
  );
  assert.deepEqual(decodeOk(noDescription, 'no description'), ['#!LUA name=lib\nbody']);
});

test('scenario payloads: RESTORE arguments and DUMP replies are well-formed', (t) => {
  let checked = 0;
  for (const scenario of vectors.scenarios) {
    scenario.steps.forEach((step, index) => {
      const command = step.cmd?.map((arg) => (typeof arg === 'string' ? arg.toUpperCase() : arg));
      if (command?.[0] === 'FUNCTION' && command[1] === 'RESTORE' && command.length >= 3 && command.length <= 4) {
        const libraries = decodeOk(hexBytes((step.cmd![2] as HexValue).hex), `${scenario.id} step ${index}`);
        const next = scenario.steps[index + 1];
        const ok = typeof step.reply === 'object' && step.reply !== null && 'status' in step.reply;
        if (ok && next?.state) {
          const live = new Set(next.state.map((library) => latin1FromUtf8(library.library_code)));
          for (const code of libraries) assert.ok(live.has(code), `${scenario.id} step ${index}: restored code is live`);
        }
        checked++;
      }
      if (command?.[0] === 'FUNCTION' && command[1] === 'DUMP' && command.length === 2) {
        decodeOk(hexBytes((step.reply as HexValue).hex), `${scenario.id} dump`);
        checked++;
      }
    });
  }
  assert.ok(checked > 10);
  t.diagnostic(`scenarios: ${checked} payloads decoded`);
});
