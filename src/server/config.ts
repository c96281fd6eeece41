/**
 * The server's configuration: one declarative entry per parameter (Redis 7.0's names,
 * aliases, defaults and validation), shared by the config file, command-line options,
 * CONFIG GET/SET/REWRITE and `startServer` options.
 */
import { globMatch } from '../keyspace/glob.js';
import { formatNotifyClasses, parseNotifyClasses } from './notifications.js';
import { mergeOutputLimits } from './output-limits.js';

type Kind =
  | { type: 'bool' }
  | { type: 'int'; min: number; max: number }
  | { type: 'memory'; min: number; max: number }
  | { type: 'enum'; values: string[] }
  | { type: 'string' }
  | { type: 'special'; validate: (v: string, current: string) => string | null; normalise?: (v: string, current: string) => string };

interface ConfigDef {
  name: string;
  alias?: string;
  kind: Kind;
  default: string;
  immutable?: boolean;
  /** Settable only when enable-protected-configs allows it (Redis's PROTECTED_CONFIG). */
  protected?: boolean;
  /** Redis's HIDDEN_CONFIG (test knobs): CONFIG GET matches it by exact name only. */
  hidden?: boolean;
}

const INT_MAX = 2147483647;
const LLONG_MAX = Number.MAX_SAFE_INTEGER;
const bool = { type: 'bool' } as const;
const str = { type: 'string' } as const;
const int = (min: number, max: number): Kind => ({ type: 'int', min, max });
const mem = (min = 0, max = LLONG_MAX): Kind => ({ type: 'memory', min, max });
const oneOf = (...values: string[]): Kind => ({ type: 'enum', values });

function validateSave(v: string): string | null {
  const parts = v.split(/\s+/).filter(Boolean);
  if (parts.length % 2 !== 0) return 'Invalid save parameters';
  for (const p of parts) if (!/^\d+$/.test(p)) return 'Invalid save parameters';
  return null;
}

function validateKeyspaceEvents(v: string): string | null {
  return parseNotifyClasses(v) < 0 ? "Invalid event class character. Use 'Ag$lshzxeKEtmdn'." : null;
}

const DEFS: ConfigDef[] = [
  { name: 'port', kind: int(0, 65535), default: '6379' },
  { name: 'bind', kind: str, default: '* -::*' },
  { name: 'requirepass', kind: str, default: '' },
  { name: 'databases', kind: int(1, INT_MAX), default: '16', immutable: true },
  { name: 'dir', kind: str, default: '', protected: true },
  { name: 'dbfilename', kind: str, default: 'dump.rdb', protected: true },
  { name: 'save', kind: { type: 'special', validate: validateSave }, default: '3600 1 300 100 60 10000' },
  { name: 'appendonly', kind: bool, default: 'no' },
  { name: 'appendfsync', kind: oneOf('always', 'everysec', 'no'), default: 'everysec' },
  { name: 'appendfilename', kind: str, default: 'appendonly.aof', immutable: true },
  { name: 'appenddirname', kind: str, default: 'appendonlydir', immutable: true },
  { name: 'aof-load-truncated', kind: bool, default: 'yes' },
  { name: 'aof-use-rdb-preamble', kind: bool, default: 'yes' },
  { name: 'aof-timestamp-enabled', kind: bool, default: 'no' },
  { name: 'aof-rewrite-incremental-fsync', kind: bool, default: 'yes' },
  { name: 'auto-aof-rewrite-percentage', kind: int(0, INT_MAX), default: '100' },
  { name: 'auto-aof-rewrite-min-size', kind: mem(), default: '67108864' },
  { name: 'no-appendfsync-on-rewrite', kind: bool, default: 'no' },
  { name: 'rdbcompression', kind: bool, default: 'yes' },
  { name: 'rdbchecksum', kind: bool, default: 'yes' },
  { name: 'rdb-del-sync-files', kind: bool, default: 'no' },
  { name: 'rdb-save-incremental-fsync', kind: bool, default: 'yes' },
  { name: 'stop-writes-on-bgsave-error', kind: bool, default: 'yes' },
  { name: 'maxmemory', kind: mem(), default: '0' },
  {
    name: 'maxmemory-policy',
    kind: oneOf('volatile-lru', 'volatile-lfu', 'volatile-random', 'volatile-ttl', 'allkeys-lru', 'allkeys-lfu', 'allkeys-random', 'noeviction'),
    default: 'noeviction',
  },
  { name: 'maxmemory-samples', kind: int(1, 64), default: '5' },
  { name: 'maxmemory-eviction-tenacity', kind: int(0, 100), default: '10' },
  { name: 'maxmemory-clients', kind: mem(), default: '0' },
  { name: 'maxclients', kind: int(1, INT_MAX), default: '10000' },
  { name: 'loglevel', kind: oneOf('debug', 'verbose', 'notice', 'warning'), default: 'notice' },
  { name: 'logfile', kind: str, default: '', immutable: true },
  { name: 'enable-debug-command', kind: oneOf('no', 'yes', 'local'), default: 'no', immutable: true },
  { name: 'enable-module-command', kind: oneOf('no', 'yes', 'local'), default: 'no', immutable: true },
  { name: 'enable-protected-configs', kind: oneOf('no', 'yes', 'local'), default: 'no', immutable: true },
  { name: 'busy-reply-threshold', alias: 'lua-time-limit', kind: int(0, LLONG_MAX), default: '5000' },
  { name: 'proto-max-bulk-len', kind: mem(1024 * 1024, LLONG_MAX), default: '536870912' },
  { name: 'client-query-buffer-limit', kind: mem(1024 * 1024, LLONG_MAX), default: '1073741824' },
  {
    name: 'client-output-buffer-limit',
    kind: {
      type: 'special',
      validate: (v, current) => {
        const r = mergeOutputLimits(v, current);
        return 'error' in r ? r.error : null;
      },
      // Classes not named keep their limits; sizes are shown in bytes.
      normalise: (v, current) => (mergeOutputLimits(v, current) as { value: string }).value,
    },
    default: 'normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60',
  },
  { name: 'timeout', kind: int(0, INT_MAX), default: '0' },
  { name: 'tcp-keepalive', kind: int(0, INT_MAX), default: '300' },
  { name: 'tcp-backlog', kind: int(0, INT_MAX), default: '511', immutable: true },
  { name: 'protected-mode', kind: bool, default: 'yes' },
  { name: 'hz', kind: int(0, INT_MAX), default: '10' },
  { name: 'dynamic-hz', kind: bool, default: 'yes' },
  { name: 'active-expire-effort', kind: int(1, 10), default: '1' },
  { name: 'activerehashing', kind: bool, default: 'yes' },
  { name: 'lazyfree-lazy-eviction', kind: bool, default: 'no' },
  { name: 'lazyfree-lazy-expire', kind: bool, default: 'no' },
  { name: 'lazyfree-lazy-server-del', kind: bool, default: 'no' },
  { name: 'lazyfree-lazy-user-del', kind: bool, default: 'no' },
  { name: 'lazyfree-lazy-user-flush', kind: bool, default: 'no' },
  { name: 'slowlog-log-slower-than', kind: int(-1, LLONG_MAX), default: '10000' },
  { name: 'slowlog-max-len', kind: int(0, LLONG_MAX), default: '128' },
  { name: 'latency-monitor-threshold', kind: int(0, LLONG_MAX), default: '0' },
  { name: 'latency-tracking', kind: bool, default: 'yes' },
  { name: 'latency-tracking-info-percentiles', kind: str, default: '50 99 99.9' },
  {
    name: 'notify-keyspace-events',
    kind: { type: 'special', validate: validateKeyspaceEvents, normalise: (v) => formatNotifyClasses(parseNotifyClasses(v)) },
    default: '',
  },
  { name: 'hash-max-listpack-entries', alias: 'hash-max-ziplist-entries', kind: int(0, LLONG_MAX), default: '512' },
  { name: 'hash-max-listpack-value', alias: 'hash-max-ziplist-value', kind: int(0, LLONG_MAX), default: '64' },
  { name: 'list-max-listpack-size', alias: 'list-max-ziplist-size', kind: int(-5, INT_MAX), default: '-2' },
  { name: 'list-compress-depth', kind: int(0, INT_MAX), default: '0' },
  { name: 'set-max-intset-entries', kind: int(0, LLONG_MAX), default: '512' },
  { name: 'zset-max-listpack-entries', alias: 'zset-max-ziplist-entries', kind: int(0, LLONG_MAX), default: '128' },
  { name: 'zset-max-listpack-value', alias: 'zset-max-ziplist-value', kind: int(0, LLONG_MAX), default: '64' },
  { name: 'hll-sparse-max-bytes', kind: mem(), default: '3000' },
  { name: 'stream-node-max-bytes', kind: mem(), default: '4096' },
  { name: 'stream-node-max-entries', kind: int(0, LLONG_MAX), default: '100' },
  { name: 'lfu-log-factor', kind: int(0, INT_MAX), default: '10' },
  { name: 'lfu-decay-time', kind: int(0, INT_MAX), default: '1' },
  { name: 'acllog-max-len', kind: int(0, LLONG_MAX), default: '128' },
  { name: 'aclfile', kind: str, default: '', immutable: true },
  { name: 'acl-pubsub-default', kind: oneOf('allchannels', 'resetchannels'), default: 'resetchannels' },
  { name: 'daemonize', kind: bool, default: 'no', immutable: true },
  { name: 'supervised', kind: oneOf('upstart', 'systemd', 'auto', 'no'), default: 'no', immutable: true },
  { name: 'pidfile', kind: str, default: '' },
  { name: 'unixsocket', kind: str, default: '', immutable: true },
  { name: 'unixsocketperm', kind: int(0, 0o777), default: '0', immutable: true },
  { name: 'always-show-logo', kind: bool, default: 'no', immutable: true },
  { name: 'set-proc-title', kind: bool, default: 'yes', immutable: true },
  { name: 'io-threads', kind: int(1, 128), default: '1', immutable: true },
  { name: 'io-threads-do-reads', kind: bool, default: 'no', immutable: true },
  { name: 'replica-read-only', alias: 'slave-read-only', kind: bool, default: 'yes' },
  { name: 'replica-serve-stale-data', alias: 'slave-serve-stale-data', kind: bool, default: 'yes' },
  { name: 'replica-priority', alias: 'slave-priority', kind: int(0, INT_MAX), default: '100' },
  { name: 'replica-lazy-flush', alias: 'slave-lazy-flush', kind: bool, default: 'no' },
  { name: 'replica-ignore-maxmemory', alias: 'slave-ignore-maxmemory', kind: bool, default: 'yes' },
  { name: 'replicaof', alias: 'slaveof', kind: str, default: '', immutable: true },
  { name: 'masterauth', kind: str, default: '' },
  { name: 'masteruser', kind: str, default: '' },
  { name: 'repl-backlog-size', kind: mem(1), default: '1048576' },
  { name: 'repl-backlog-ttl', kind: int(0, INT_MAX), default: '3600' },
  { name: 'repl-timeout', kind: int(1, INT_MAX), default: '60' },
  { name: 'repl-diskless-sync', kind: bool, default: 'yes' },
  { name: 'repl-diskless-sync-delay', kind: int(0, INT_MAX), default: '5' },
  { name: 'repl-diskless-sync-max-replicas', kind: int(0, INT_MAX), default: '0' },
  { name: 'repl-diskless-load', kind: oneOf('disabled', 'on-empty-db', 'swapdb'), default: 'disabled' },
  { name: 'repl-ping-replica-period', alias: 'repl-ping-slave-period', kind: int(1, INT_MAX), default: '10' },
  { name: 'repl-disable-tcp-nodelay', kind: bool, default: 'no' },
  { name: 'replica-announce-ip', alias: 'slave-announce-ip', kind: str, default: '' },
  { name: 'replica-announce-port', alias: 'slave-announce-port', kind: int(0, 65535), default: '0' },
  { name: 'replica-announced', kind: bool, default: 'yes' },
  { name: 'replica-ignore-disk-write-errors', kind: bool, default: 'no' },
  { name: 'min-replicas-to-write', alias: 'min-slaves-to-write', kind: int(0, INT_MAX), default: '0' },
  { name: 'min-replicas-max-lag', alias: 'min-slaves-max-lag', kind: int(0, INT_MAX), default: '10' },
  { name: 'cluster-enabled', kind: bool, default: 'no', immutable: true },
  { name: 'sanitize-dump-payload', kind: oneOf('no', 'yes', 'clients'), default: 'no' },
  { name: 'shutdown-timeout', kind: int(0, INT_MAX), default: '10' },
  { name: 'shutdown-on-sigint', kind: str, default: 'default' },
  { name: 'shutdown-on-sigterm', kind: str, default: 'default' },
  { name: 'tracking-table-max-keys', kind: int(0, LLONG_MAX), default: '1000000' },
  { name: 'activedefrag', kind: bool, default: 'no' },
  { name: 'jemalloc-bg-thread', kind: bool, default: 'yes' },
  { name: 'oom-score-adj', kind: oneOf('no', 'yes', 'relative', 'absolute'), default: 'no' },
  { name: 'crash-log-enabled', kind: bool, default: 'yes' },
  { name: 'crash-memcheck-enabled', kind: bool, default: 'yes' },
  { name: 'disable-thp', kind: bool, default: 'yes', immutable: true },
  { name: 'syslog-enabled', kind: bool, default: 'no', immutable: true },
  { name: 'syslog-ident', kind: str, default: 'redis', immutable: true },
  { name: 'syslog-facility', kind: str, default: 'local0', immutable: true },
  { name: 'propagation-error-behavior', kind: oneOf('ignore', 'panic', 'panic-on-replicas'), default: 'ignore' },
  // Test knobs Redis hides from CONFIG GET patterns; accepted so suites can set them.
  { name: 'rdb-key-save-delay', kind: int(-INT_MAX - 1, INT_MAX), default: '0', hidden: true },
  { name: 'key-load-delay', kind: int(-INT_MAX - 1, INT_MAX), default: '0', hidden: true },
  { name: 'watchdog-period', kind: int(0, INT_MAX), default: '0', hidden: true },
  { name: 'loading-process-events-interval-bytes', kind: int(1024, INT_MAX), default: '2097152', hidden: true },
  { name: 'use-exit-on-panic', kind: bool, default: 'no', hidden: true },
  // Parameters of Redis subsystems lunakv does not have (TLS, cluster, replication
  // tuning, defrag): accepted and shown so configs and tools written for Redis work.
  { name: 'active-defrag-cycle-max', kind: int(-LLONG_MAX, LLONG_MAX), default: '25' },
  { name: 'active-defrag-cycle-min', kind: int(-LLONG_MAX, LLONG_MAX), default: '1' },
  { name: 'active-defrag-ignore-bytes', kind: int(-LLONG_MAX, LLONG_MAX), default: '104857600' },
  { name: 'active-defrag-max-scan-fields', kind: int(-LLONG_MAX, LLONG_MAX), default: '1000' },
  { name: 'active-defrag-threshold-lower', kind: int(-LLONG_MAX, LLONG_MAX), default: '10' },
  { name: 'active-defrag-threshold-upper', kind: int(-LLONG_MAX, LLONG_MAX), default: '100' },
  { name: 'aof-disable-auto-gc', kind: bool, default: 'no' },
  { name: 'aof_rewrite_cpulist', kind: str, default: '' },
  { name: 'bgsave_cpulist', kind: str, default: '' },
  { name: 'bind-source-addr', kind: str, default: '' },
  { name: 'bio_cpulist', kind: str, default: '' },
  { name: 'cluster-allow-pubsubshard-when-down', kind: bool, default: 'yes' },
  { name: 'cluster-allow-reads-when-down', kind: bool, default: 'no' },
  { name: 'cluster-allow-replica-migration', kind: bool, default: 'yes' },
  { name: 'cluster-announce-bus-port', kind: int(-LLONG_MAX, LLONG_MAX), default: '0' },
  { name: 'cluster-announce-hostname', kind: str, default: '' },
  { name: 'cluster-announce-ip', kind: str, default: '' },
  { name: 'cluster-announce-port', kind: int(-LLONG_MAX, LLONG_MAX), default: '0' },
  { name: 'cluster-announce-tls-port', kind: int(-LLONG_MAX, LLONG_MAX), default: '0' },
  { name: 'cluster-config-file', kind: str, default: 'nodes.conf' },
  { name: 'cluster-link-sendbuf-limit', kind: int(-LLONG_MAX, LLONG_MAX), default: '0' },
  { name: 'cluster-migration-barrier', kind: int(-LLONG_MAX, LLONG_MAX), default: '1' },
  { name: 'cluster-node-timeout', kind: int(-LLONG_MAX, LLONG_MAX), default: '15000' },
  { name: 'cluster-port', kind: int(-LLONG_MAX, LLONG_MAX), default: '0' },
  { name: 'cluster-preferred-endpoint-type', kind: str, default: 'ip' },
  { name: 'cluster-replica-no-failover', kind: bool, default: 'no' },
  { name: 'cluster-replica-validity-factor', kind: int(-LLONG_MAX, LLONG_MAX), default: '10' },
  { name: 'cluster-require-full-coverage', kind: bool, default: 'yes' },
  { name: 'cluster-slave-no-failover', kind: bool, default: 'no' },
  { name: 'cluster-slave-validity-factor', kind: int(-LLONG_MAX, LLONG_MAX), default: '10' },
  { name: 'ignore-warnings', kind: str, default: '' },
  { name: 'oom-score-adj-values', kind: str, default: '0 200 800' },
  { name: 'proc-title-template', kind: str, default: '{title} {listen-addr} {server-mode}' },
  { name: 'server_cpulist', kind: str, default: '' },
  { name: 'socket-mark-id', kind: int(-LLONG_MAX, LLONG_MAX), default: '0' },
  { name: 'tls-auth-clients', kind: bool, default: 'yes' },
  { name: 'tls-ca-cert-dir', kind: str, default: '' },
  { name: 'tls-ca-cert-file', kind: str, default: '' },
  { name: 'tls-cert-file', kind: str, default: '' },
  { name: 'tls-ciphers', kind: str, default: '' },
  { name: 'tls-ciphersuites', kind: str, default: '' },
  { name: 'tls-client-cert-file', kind: str, default: '' },
  { name: 'tls-client-key-file', kind: str, default: '' },
  { name: 'tls-client-key-file-pass', kind: str, default: '' },
  { name: 'tls-cluster', kind: bool, default: 'no' },
  { name: 'tls-dh-params-file', kind: str, default: '' },
  { name: 'tls-key-file', kind: str, default: '' },
  { name: 'tls-key-file-pass', kind: str, default: '' },
  { name: 'tls-port', kind: int(-LLONG_MAX, LLONG_MAX), default: '0' },
  { name: 'tls-prefer-server-ciphers', kind: bool, default: 'no' },
  { name: 'tls-protocols', kind: str, default: '' },
  { name: 'tls-replication', kind: bool, default: 'no' },
  { name: 'tls-session-cache-size', kind: int(-LLONG_MAX, LLONG_MAX), default: '20480' },
  { name: 'tls-session-cache-timeout', kind: int(-LLONG_MAX, LLONG_MAX), default: '300' },
  { name: 'tls-session-caching', kind: bool, default: 'yes' },
];

/** Parses a memory value like Redis's memtoull: "1gb" = 1024^3, "1g" = 1000^3. */
export function parseMemory(v: string): number | null {
  const m = /^(\d+)(k|kb|m|mb|g|gb|b)?$/i.exec(v);
  if (!m) return null;
  const unit = (m[2] ?? 'b').toLowerCase();
  const mul: Record<string, number> = { b: 1, k: 1e3, kb: 1024, m: 1e6, mb: 1024 ** 2, g: 1e9, gb: 1024 ** 3 };
  const n = Number(m[1]) * mul[unit];
  return Number.isSafeInteger(n) ? n : null;
}

const byName = new Map<string, ConfigDef>();
for (const d of DEFS) {
  byName.set(d.name, d);
  if (d.alias) byName.set(d.alias, d);
}

export class ConfigError extends Error {}

/** The live configuration of one server. Values are stored as CONFIG GET shows them. */
export class Config {
  private readonly values = new Map<string, string>();
  /** Called after a successful change (name, new value), so the server can apply it. */
  onChange: (name: string, value: string) => void = () => {};

  constructor() {
    for (const d of DEFS) this.values.set(d.name, d.default);
  }

  static has(name: string): boolean {
    return byName.has(name.toLowerCase());
  }

  get(name: string): string {
    const d = byName.get(name);
    if (!d) throw new Error(`unknown config ${name}`);
    return this.values.get(d.name)!;
  }

  getInt(name: string): number {
    return Number(this.get(name));
  }

  getBool(name: string): boolean {
    return this.get(name) === 'yes';
  }

  /**
   * CONFIG GET: [name, value] pairs matching any of the patterns. A pattern without glob
   * characters is looked up directly and shown as typed (Redis replies "MAXMEMORY" to
   * CONFIG GET MAXMEMORY); names are deduplicated case-insensitively, first form kept.
   */
  match(patterns: string[]): [string, string][] {
    const out = new Map<string, [string, string]>();
    for (const pattern of patterns) {
      if (!/[*?[]/.test(pattern)) {
        const lower = pattern.toLowerCase();
        const d = byName.get(lower);
        if (d && !out.has(lower)) out.set(lower, [pattern, this.values.get(d.name)!]);
        continue;
      }
      for (const d of DEFS) {
        if (d.hidden) continue;
        const value = this.values.get(d.name)!;
        // Redis skips a parameter whose canonical name already matched; an alias met
        // first is shown beside it (its dict order puts some aliases first).
        if (d.alias && !out.has(d.name) && !out.has(d.alias) && globMatch(pattern, d.alias, true)) out.set(d.alias, [d.alias, value]);
        if (!out.has(d.name) && globMatch(pattern, d.name, true)) out.set(d.name, [d.name, value]);
      }
    }
    return [...out.values()];
  }

  /** The canonical name of a parameter or alias (any case), or undefined. */
  static canonicalName(name: string): string | undefined {
    return byName.get(name.toLowerCase())?.name;
  }

  /** Every parameter: canonical name, current value, and whether it is the default. */
  all(): { name: string; value: string; isDefault: boolean }[] {
    return DEFS.map((d) => {
      const value = this.values.get(d.name)!;
      return { name: d.name, value, isDefault: value === d.default };
    });
  }

  /** Validates a value; returns the normalised value or throws ConfigError with Redis's reason. */
  private normalise(d: ConfigDef, raw: string): string {
    const k = d.kind;
    switch (k.type) {
      case 'bool': {
        const v = raw.toLowerCase();
        if (v !== 'yes' && v !== 'no') throw new ConfigError("argument must be 'yes' or 'no'");
        return v;
      }
      case 'int': {
        if (!/^-?\d+$/.test(raw)) throw new ConfigError("argument couldn't be parsed into an integer");
        const n = Number(raw);
        if (n < k.min || n > k.max) throw new ConfigError(`argument must be between ${k.min} and ${k.max} inclusive`);
        return String(n);
      }
      case 'memory': {
        const n = parseMemory(raw);
        if (n === null) throw new ConfigError('argument must be a memory value');
        if (n < k.min || n > k.max) throw new ConfigError(`argument must be between ${k.min} and ${k.max} inclusive`);
        return String(n);
      }
      case 'enum': {
        const v = raw.toLowerCase();
        if (!k.values.includes(v)) throw new ConfigError(`argument(s) must be one of the following: ${k.values.join(', ')}`);
        return v;
      }
      case 'special': {
        const current = this.values.get(d.name) ?? d.default;
        const e = k.validate(raw, current);
        if (e) throw new ConfigError(e);
        return k.normalise ? k.normalise(raw, current) : raw;
      }
      default:
        return raw;
    }
  }

  /** Sets one parameter at start-up (config file / options): immutables allowed. */
  setInitial(name: string, value: string): void {
    const d = byName.get(name.toLowerCase());
    if (!d) throw new ConfigError('Bad directive or wrong number of arguments');
    this.values.set(d.name, this.normalise(d, value));
  }

  /**
   * CONFIG SET with several pairs, all or nothing. Returns an error message (full text)
   * or null on success.
   */
  setMany(pairs: [string, string][], allowProtected = false): string | null {
    // One pass in argument order, as Redis's configSetCommand: the first problem wins.
    const defs: ConfigDef[] = [];
    // Redis registers aliases as parameters of their own: "hz" twice is a duplicate,
    // a parameter and its alias are not (the later value wins).
    const seen = new Set<string>();
    for (const [name] of pairs) {
      const d = byName.get(name.toLowerCase());
      if (!d) return `ERR Unknown option or number of arguments for CONFIG SET - '${name}'`;
      if (d.immutable) return `ERR CONFIG SET failed (possibly related to argument '${name}') - can't set immutable config`;
      if (d.protected && !allowProtected) {
        return `ERR CONFIG SET failed (possibly related to argument '${name}') - can't set protected config`;
      }
      const typed = name.toLowerCase() === d.name ? d.name : name.toLowerCase();
      if (seen.has(typed)) return `ERR CONFIG SET failed (possibly related to argument '${name}') - duplicate parameter`;
      seen.add(typed);
      defs.push(d);
    }
    const normalised: string[] = [];
    for (let i = 0; i < pairs.length; i++) {
      try {
        normalised.push(this.normalise(defs[i], pairs[i][1]));
      } catch (e) {
        return `ERR CONFIG SET failed (possibly related to argument '${defs[i].name}') - ${(e as Error).message}`;
      }
    }
    for (let i = 0; i < defs.length; i++) {
      this.values.set(defs[i].name, normalised[i]);
      this.onChange(defs[i].name, normalised[i]);
    }
    return null;
  }

  /** The non-default parameters, for CONFIG REWRITE. */
  changed(): [string, string][] {
    return DEFS.filter((d) => this.values.get(d.name) !== d.default).map((d) => [d.name, this.values.get(d.name)!]);
  }
}
