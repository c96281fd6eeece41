/**
 * The generated table, lookups, key extraction and the "only implemented commands are
 * visible" rule, without the oracle.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ErrorReply, MapReply, SetReply, SimpleReply } from '../../src/protocol/reply.js';
import { CmdFlag } from '../../src/commands/spec.js';
import {
  allSpecs,
  asciiLower,
  findCommandSpec,
  findSpecByFullName,
  findSubcommandSpec,
  isAddedAfter70,
  topLevelSpecs,
} from '../../src/commands/table/lookup.js';
import { extractKeys, getKeyPositions, GETKEYS_ERRORS } from '../../src/commands/table/keys.js';
import {
  commandCountReply,
  commandDocsReply,
  commandGetKeysReply,
  commandInfoReply,
  commandListReply,
} from '../../src/commands/table/introspection.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

function spec(fullName: string) {
  const found = findSpecByFullName(fullName);
  assert.ok(found, `no spec for ${fullName}`);
  return found;
}

describe('generated command table', () => {
  test('holds the 240 top-level commands and 126 subcommands of Redis 7.0 (no sentinel-only ones), and what 7.2/7.4 added', () => {
    assert.equal(topLevelSpecs().filter((s) => !isAddedAfter70(s)).length, 240);
    const all = [...allSpecs()];
    assert.equal(all.filter((s) => !isAddedAfter70(s)).length, 366);
    assert.deepEqual(all.filter(isAddedAfter70).map((s) => s.fullName).sort(), [
      'client|no-touch', 'client|setinfo', 'cluster|myshardid', 'hexpire', 'hexpireat', 'hexpiretime', 'hpersist',
      'hpexpire', 'hpexpireat', 'hpexpiretime', 'hpttl', 'httl', 'waitaof',
    ]);
    assert.equal(new Set(all.map((s) => s.fullName)).size, all.length);
    assert.equal(findCommandSpec('sentinel'), undefined);
    for (const s of all) assert.equal(s.fullName, asciiLower(s.fullName));
  });

  test('legacy key ranges, implicit flags and categories are computed like Redis', () => {
    const get = spec('get');
    assert.deepEqual([get.firstKey, get.lastKey, get.keyStep], [1, 1, 1]);
    assert.deepEqual(get.flags, ['readonly', 'fast']);
    assert.deepEqual(get.aclCategories, ['@read', '@string', '@fast']);

    const mset = spec('mset');
    assert.deepEqual([mset.firstKey, mset.lastKey, mset.keyStep], [1, -1, 2]);

    const evalSpec = spec('eval');
    assert.deepEqual([evalSpec.firstKey, evalSpec.lastKey, evalSpec.keyStep], [0, 0, 0]);
    assert.ok(evalSpec.flags.includes('movablekeys'));
    assert.ok(evalSpec.flagBits & CmdFlag.MOVABLE_KEYS);
    assert.ok(evalSpec.flagBits & CmdFlag.MAY_REPLICATE, 'hidden flags are kept in flagBits');
    assert.ok(!evalSpec.flags.includes('may_replicate'), 'hidden flags are not printed');

    // Scripting commands flagged READONLY are not put in @read.
    assert.ok(!spec('eval_ro').aclCategories.includes('@read'));
    // ADMIN implies @admin and @dangerous; no FAST implies @slow.
    assert.deepEqual(spec('config|set').aclCategories, ['@admin', '@slow', '@dangerous']);
    assert.equal(spec('zadd').group, 'sorted-set');
    assert.equal(spec('object|encoding').group, 'generic');
  });

  test('C-literal quirks of the Redis generator are reproduced (MIGRATE\'s empty token)', () => {
    const keysOption = spec('migrate').arguments.find((a) => a.name === 'key_or_empty_string');
    assert.ok(keysOption?.arguments);
    assert.equal(keysOption.arguments[1].token, '');
  });

  test('generated.ts is what the generator produces from the JSON files', { skip: jsonSkipReason() }, () => {
    const outDir = mkdtempSync(join(tmpdir(), 'lunakv-gen-'));
    try {
      const outFile = join(outDir, 'generated.ts');
      const jsonDir = join(repoRoot, '..', 'shared', 'redis-commands-7.0');
      execFileSync(process.execPath, [join(repoRoot, 'scripts', 'gen-command-table.mjs'), jsonDir, outFile], { stdio: 'pipe' });
      const committed = readFileSync(join(repoRoot, 'src', 'commands', 'table', 'generated.ts'), 'utf8');
      assert.equal(readFileSync(outFile, 'utf8'), committed);
    } finally {
      rmSync(outDir, { recursive: true, force: true });
    }
  });
});

function jsonSkipReason(): string | false {
  return existsSync(join(repoRoot, '..', 'shared', 'redis-commands-7.0'))
    ? false
    : 'the Redis command JSON files (../shared/redis-commands-7.0) are absent';
}

describe('lookups', () => {
  test('are case-insensitive for ASCII only and never hit Object prototype names', () => {
    assert.equal(findCommandSpec('GeT')?.fullName, 'get');
    assert.equal(findSubcommandSpec('CONFIG', 'Get')?.fullName, 'config|get');
    assert.equal(findSpecByFullName('Config|GET')?.fullName, 'config|get');
    assert.equal(findSpecByFullName('config|get|x'), undefined);
    assert.equal(findSpecByFullName('get|x'), undefined);
    assert.equal(findSubcommandSpec('config', '__proto__'), undefined);
    assert.equal(findSubcommandSpec('config', 'toString'), undefined);
    assert.equal(findCommandSpec('\u00c7ONFIG'), undefined);
    assert.equal(asciiLower('AB\u00c0c'), 'ab\u00c0c');
  });
});

describe('key extraction', () => {
  test('uses key specs, falling back to the hand-written extractors', () => {
    assert.deepEqual(getKeyPositions(spec('mset'), ['mset', 'a', '1', 'b', '2']), [1, 3]);
    assert.deepEqual(getKeyPositions(spec('zunionstore'), ['zunionstore', 'd', '2', 'a', 'b']), [1, 3, 4]);
    assert.deepEqual(getKeyPositions(spec('xread'), ['xread', 'COUNT', '1', 'STREAMS', 'a', 'b', '0', '0']), [4, 5]);
    assert.deepEqual(getKeyPositions(spec('sort'), ['sort', 'k', 'STORE', 'd']), [1, 3]);
    assert.deepEqual(extractKeys(spec('eval'), ['eval', 's', '0']), []);
    assert.deepEqual(getKeyPositions(spec('eval'), ['eval', 's', '0']), [], 'EVAL may have no keys');
  });

  test('reports the COMMAND GETKEYS errors', () => {
    assert.equal(getKeyPositions(spec('get'), ['get', 'a', 'b']), GETKEYS_ERRORS.arity);
    assert.equal(getKeyPositions(spec('ping'), ['ping']), GETKEYS_ERRORS.noKeys);
    assert.equal(getKeyPositions(spec('zunionstore'), ['zunionstore', 'd', 'x', 'a']), GETKEYS_ERRORS.invalid);
  });
});

describe('only implemented commands are visible', () => {
  const implemented = new Set(['get', 'config|get', 'sort']);
  const isImplemented = (fullName: string) => implemented.has(fullName);

  test('COMMAND COUNT and LIST', () => {
    assert.equal(commandCountReply(isImplemented), 3);
    assert.deepEqual(commandListReply([], isImplemented), ['config', 'config|get', 'get', 'sort']);
    assert.deepEqual(commandListReply(['FILTERBY', 'PATTERN', 'c*'], isImplemented), ['config', 'config|get']);
  });

  test('COMMAND INFO and DOCS show implemented subcommands only and null/nothing for the rest', () => {
    const [config, set] = commandInfoReply(['config', 'set'], isImplemented) as unknown[];
    assert.equal(set, null);
    assert.ok(Array.isArray(config));
    const subcommands = config[9] as unknown[][];
    assert.deepEqual(subcommands.map((entry) => entry[0]), ['config|get']);
    assert.ok(config[2] instanceof SetReply);

    const docs = commandDocsReply(['config', 'config|set'], isImplemented) as MapReply;
    assert.equal(docs.entries.length, 2);
    const body = docs.entries[1] as MapReply;
    const subIndex = body.entries.indexOf('subcommands');
    assert.deepEqual((body.entries[subIndex + 1] as MapReply).entries[0], 'config|get');
  });

  test('COMMAND GETKEYS refuses unimplemented commands', () => {
    assert.deepEqual(commandGetKeysReply(['get', 'k'], false, isImplemented), ['k']);
    const flagged = commandGetKeysReply(['sort', 'k', 'STORE', 'd'], true, isImplemented) as [string, SetReply][];
    assert.deepEqual(flagged.map(([key]) => key), ['k', 'd']);
    assert.deepEqual(flagged[1][1].items, [new SimpleReply('OW'), new SimpleReply('update')]);
    const unknown = commandGetKeysReply(['set', 'k', 'v'], false, isImplemented);
    assert.ok(unknown instanceof ErrorReply);
    assert.equal(unknown.message, 'ERR Invalid command specified');
    assert.ok(commandGetKeysReply(['config', 'set', 'a', 'b'], false, isImplemented) instanceof ErrorReply);
  });
});
