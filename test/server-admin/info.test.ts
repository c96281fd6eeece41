/**
 * INFO: values differ between servers, so this checks what clients and tools read:
 * the format (sections, key:value lines), the section selection rules (compared with
 * redis-server 7.0.15), and the fields redis-benchmark, ioredis and node-redis use.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { pairPerFile, type Pair } from '../support/oracle.js';
import { decodeReply } from '../support/resp-decode.js';

const withPair = pairPerFile({}, [['FLUSHALL']]);

interface ParsedInfo {
  /** Section titles in order ("Server", "Clients", ...). */
  titles: string[];
  fields: Map<string, string>;
}

/** Parses INFO text, asserting Redis's layout: "# Title" headers, key:value lines, blank lines between sections, CRLF. */
function parseInfo(text: string): ParsedInfo {
  const titles: string[] = [];
  const fields = new Map<string, string>();
  if (text === '') return { titles, fields };
  assert.ok(text.endsWith('\r\n'), 'ends with CRLF');
  assert.ok(!/[^\r]\n/.test(text), 'every line ends with CRLF');
  const lines = text.slice(0, -2).split('\r\n');
  let expectHeader = true;
  for (const line of lines) {
    if (line === '') {
      assert.ok(!expectHeader, 'no empty section');
      expectHeader = true;
      continue;
    }
    if (expectHeader) {
      assert.match(line, /^# [A-Za-z]+$/);
      titles.push(line.slice(2));
      expectHeader = false;
      continue;
    }
    const m = /^([a-z0-9_|.\-]+):(.*)$/i.exec(line);
    assert.ok(m, `not a key:value line: ${JSON.stringify(line)}`);
    assert.ok(!fields.has(m[1]), `field ${m[1]} repeated`);
    fields.set(m[1], m[2]);
  }
  return { titles, fields };
}

async function infoOf(p: Pair, which: 'ours' | 'redis', ...sections: string[]): Promise<ParsedInfo> {
  const raw = await p[which].call('INFO', ...sections);
  return parseInfo(decodeReply(raw) as string);
}

describe('INFO', () => {
  it('selects the same sections as Redis', withPair(async (p) => {
    const requests = [[], ['default'], ['all'], ['everything'], ['server'], ['CPU'], ['commandSTATS'], ['cpu', 'sentinel'], ['cpu', 'all'], ['cpu', 'default'], ['keyspace', 'server', 'keyspace'], ['nosuchsection'], ['modules'], ['errorstats', 'latencystats'], ['cluster']];
    await p.same('SET', 'k', 'v');
    await p.both('GET', 'nokey');
    await p.both('INCR', 'k'); // an error, so errorstats is not empty
    for (const req of requests) {
      const ours = await infoOf(p, 'ours', ...req);
      const theirs = await infoOf(p, 'redis', ...req);
      assert.deepEqual(ours.titles, theirs.titles, `INFO ${req.join(' ')}`);
    }
  }));

  it('has every field Redis has in the default and all sections, except allocator internals', withPair(async (p) => {
    const ours = await infoOf(p, 'ours', 'all');
    const theirs = await infoOf(p, 'redis', 'all');
    for (const name of theirs.fields.keys()) {
      if (/^(cmdstat_|errorstat_|latency_percentiles_usec_|db\d+$)/.test(name)) continue;
      assert.ok(ours.fields.has(name), `missing field ${name}`);
    }
  }));

  it('has the fields tools read, with sensible values', withPair(async (p) => {
    await p.ours.call('SET', 'a', '1');
    await p.ours.call('SET', 'b', '2', 'EX', '100');
    await p.ours.call('SELECT', '3');
    await p.ours.call('SET', 'c', '3');
    await p.ours.call('SELECT', '0');
    const { fields } = await infoOf(p, 'ours');
    assert.equal(fields.get('redis_version'), '7.0.15');
    assert.equal(fields.get('redis_mode'), 'standalone');
    assert.equal(fields.get('role'), 'master');
    assert.equal(fields.get('loading'), '0');
    assert.equal(fields.get('tcp_port'), String(p.lunakv.port));
    assert.equal(fields.get('run_id')?.length, 40);
    assert.match(fields.get('used_memory')!, /^\d+$/);
    assert.match(fields.get('used_memory_human')!, /^\d+(\.\d\d[KMGTP]|B)$/);
    assert.match(fields.get('connected_clients')!, /^[1-9]\d*$/);
    assert.match(fields.get('uptime_in_seconds')!, /^\d+$/);
    assert.match(fields.get('used_cpu_user')!, /^\d+\.\d{6}$/);
    assert.equal(fields.get('maxmemory_policy'), 'noeviction');
    assert.equal(fields.get('aof_enabled'), '0');
    assert.match(fields.get('db0')!, /^keys=2,expires=1,avg_ttl=\d+$/);
    assert.equal(fields.get('db3'), 'keys=1,expires=0,avg_ttl=0');
    assert.ok(!fields.has('db1'));
  }));

  it('reports command and error statistics in Redis format', withPair(async (p) => {
    await p.ours.call('CONFIG', 'RESETSTAT');
    await p.ours.call('SET', 'k', 'v');
    await p.ours.call('GET', 'k');
    await p.ours.call('GET', 'k');
    await p.ours.call('INCR', 'k');
    await p.ours.call('NOSUCHCOMMAND');
    await p.ours.call('CONFIG', 'GET', 'hz');
    const { fields } = await infoOf(p, 'ours', 'commandstats', 'errorstats', 'stats', 'keyspace');
    assert.match(fields.get('cmdstat_get')!, /^calls=2,usec=\d+,usec_per_call=\d+\.\d\d,rejected_calls=0,failed_calls=0$/);
    assert.match(fields.get('cmdstat_incr')!, /^calls=1,usec=\d+,usec_per_call=\d+\.\d\d,rejected_calls=0,failed_calls=1$/);
    assert.match(fields.get('cmdstat_config|get')!, /^calls=1,/);
    assert.equal(fields.get('errorstat_ERR'), 'count=2');
    assert.equal(fields.get('total_error_replies'), '2');
    assert.equal(fields.get('keyspace_hits'), '2'); // INCR looks up for writing: no stats
    assert.equal(fields.get('keyspace_misses'), '0');
    await p.ours.call('CONFIG', 'RESETSTAT');
    const reset = await infoOf(p, 'ours', 'commandstats', 'errorstats');
    assert.deepEqual([...reset.fields.keys()].filter((k) => k !== 'cmdstat_config|resetstat'), []);
  }));

  it('is a verbatim string in RESP3 and a bulk string in RESP2', withPair(async (p) => {
    assert.match((await p.ours.call('INFO', 'cluster')).toString(), /^\$\d+\r\n# Cluster\r\ncluster_enabled:0\r\n\r\n$/);
    await p.same('INFO', 'cluster');
    await p.same('INFO', 'nosuchsection');
    await p.same('HELLO', '3');
    try {
      await p.same('INFO', 'cluster');
      await p.same('INFO', 'nosuchsection');
    } finally {
      await p.same('HELLO', '2');
    }
  }));
});
