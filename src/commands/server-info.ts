/**
 * The text of INFO (Redis 7.0 genRedisInfoString): the same sections, field names and
 * formats, with values lunakv actually has (and Redis's idle values for subsystems it
 * does not have, such as replication backlogs or forks).
 */
import { ReplicationState } from '../replication/state.js';
import { replicaIp } from '../replication/roles.js';
import { PersistenceManager } from '../persistence/manager.js';
import os from 'node:os';
import { randomHex, type Server } from '../server/server.js';
import { SERVER_VERSION } from './connection.js';
import { ScriptingEngine } from '../scripting/engine.js';
import { migrateCachedSockets } from './migrate.js';

/** INFO's default sections ("module_list" is the modules section). */
const DEFAULT_SECTIONS = ['server', 'clients', 'memory', 'persistence', 'stats', 'replication', 'cpu', 'module_list', 'errorstats', 'cluster', 'keyspace'];

export interface InfoRequest {
  /** Requested section names, lower-cased. */
  sections: Set<string>;
  all: boolean;
  everything: boolean;
}

/** genInfoSectionDict: section names are case-insensitive; "default", "all", "everything" expand. */
export function parseInfoSections(names: string[]): InfoRequest {
  const sections = new Set<string>();
  let all = false;
  let everything = false;
  if (names.length === 0) for (const s of DEFAULT_SECTIONS) sections.add(s);
  for (const raw of names) {
    const name = raw.toLowerCase();
    if (name === 'default') for (const s of DEFAULT_SECTIONS) sections.add(s);
    else if (name === 'all') all = true;
    else if (name === 'everything') all = everything = true;
    else sections.add(name);
  }
  return { sections, all, everything };
}

/** Per-server state that INFO needs between calls. */
interface InfoState {
  peakMemory: number;
  buildId: string;
}
const states = new WeakMap<Server, InfoState>();

function stateOf(server: Server): InfoState {
  let s = states.get(server);
  if (!s) {
    s = { peakMemory: 0, buildId: randomHex(15) };
    states.set(server, s);
  }
  return s;
}

/** Redis's bytesToHuman: "512B", "1.50K", "2.00M", ... */
export function bytesToHuman(n: number): string {
  const units = ['K', 'M', 'G', 'T', 'P'];
  if (n < 1024) return `${n}B`;
  let d = n / 1024;
  for (const unit of units) {
    if (d < 1024 || unit === 'P') return `${d.toFixed(2)}${unit}`;
    d /= 1024;
  }
  return `${n}B`;
}

/** getSafeInfoString: INFO's separators cannot appear in names. */
function safeInfoName(s: string): string {
  return s.replace(/[#:\n\r]/g, '_');
}

/** %ld.%06ld of a microseconds count. */
function secondsMicros(us: number): string {
  const whole = Math.floor(us / 1e6);
  return `${whole}.${String(Math.floor(us - whole * 1e6)).padStart(6, '0')}`;
}

/** Redis's 24-bit LRU clock (seconds resolution). */
export function lruClock(ms: number): number {
  return Math.floor(ms / 1000) & ((1 << 24) - 1);
}

function lines(title: string, fields: [string, string | number][]): string {
  let out = `# ${title}\r\n`;
  for (const [k, v] of fields) out += `${k}:${v}\r\n`;
  return out;
}

function serverSection(server: Server): string {
  const now = Date.now();
  const uptime = Math.floor((now - server.startTime) / 1000);
  const hz = server.config.getInt('hz');
  const arch = os.arch() === 'x64' ? 'x86_64' : os.arch() === 'arm64' ? 'aarch64' : os.arch();
  return lines('Server', [
    ['redis_version', SERVER_VERSION],
    ['redis_git_sha1', '00000000'],
    ['redis_git_dirty', 0],
    ['redis_build_id', stateOf(server).buildId],
    ['redis_mode', server.config.getBool('cluster-enabled') ? 'cluster' : 'standalone'],
    ['os', `${os.type()} ${os.release()} ${arch}`],
    ['arch_bits', 64],
    ['monotonic_clock', 'POSIX clock_gettime'],
    ['multiplexing_api', 'epoll'],
    ['atomicvar_api', 'c11-builtin'],
    ['gcc_version', '0.0.0'],
    ['process_id', process.pid],
    ['process_supervised', 'no'],
    ['run_id', server.runId],
    ['tcp_port', server.port],
    ['server_time_usec', now * 1000],
    ['uptime_in_seconds', uptime],
    ['uptime_in_days', Math.floor(uptime / 86400)],
    ['hz', Math.max(1, Math.min(500, hz))],
    ['configured_hz', hz],
    ['lru_clock', lruClock(now)],
    ['executable', process.argv[1] ?? ''],
    ['config_file', server.configFile ?? ''],
    ['io_threads_active', 0],
  ]);
}

function clientsSection(server: Server): string {
  let blocked = 0;
  for (const c of server.clients.values()) if (c.blocked !== null) blocked++;
  return lines('Clients', [
    ['connected_clients', server.clients.size],
    ['cluster_connections', 0],
    ['maxclients', server.config.getInt('maxclients')],
    ['client_recent_max_input_buffer', 0],
    ['client_recent_max_output_buffer', 0],
    ['blocked_clients', blocked],
    ['tracking_clients', 0],
    ['clients_in_timeout_table', 0],
  ]);
}

/** Script and function counts of the server's scripting engine. */
function scriptingCounts(server: Server): { scripts: number; functions: number; libraries: number } {
  const engine = ScriptingEngine.of(server);
  const live = engine.libraries.live;
  return { scripts: engine.scripts.size, functions: live.functionCount, libraries: live.libraries.size };
}

/**
 * The shared replication buffer as INFO splits it (getMemoryOverheadData): beyond the
 * backlog's size, while replicas are attached, it is the replicas' output.
 */
function replicationBufferMemory(server: Server): { total: number; backlog: number; replicas: number } {
  const total = server.replication.bufferMemory?.() ?? 0;
  const backlogSize = server.config.getInt('repl-backlog-size');
  if (total > backlogSize && ReplicationState.of(server).attached().length !== 0) return { total, backlog: backlogSize, replicas: total - backlogSize };
  return { total, backlog: total, replicas: 0 };
}

function memorySection(server: Server): string {
  const state = stateOf(server);
  const scripting = scriptingCounts(server);
  const used = server.usedMemory();
  const replBuffers = replicationBufferMemory(server);
  const mem = process.memoryUsage();
  if (used > state.peakMemory) state.peakMemory = used;
  const peak = state.peakMemory;
  const total = os.totalmem();
  const maxmemory = server.maxmemory;
  const ratio = (a: number, b: number) => (b === 0 ? 0 : a / b).toFixed(2);
  return lines('Memory', [
    ['used_memory', used],
    ['used_memory_human', bytesToHuman(used)],
    ['used_memory_rss', mem.rss],
    ['used_memory_rss_human', bytesToHuman(mem.rss)],
    ['used_memory_peak', peak],
    ['used_memory_peak_human', bytesToHuman(peak)],
    ['used_memory_peak_perc', `${((used / peak) * 100).toFixed(2)}%`],
    ['used_memory_overhead', 0],
    ['used_memory_startup', 0],
    ['used_memory_dataset', used],
    ['used_memory_dataset_perc', '100.00%'],
    ['allocator_allocated', mem.heapUsed],
    ['allocator_active', mem.heapTotal],
    ['allocator_resident', mem.rss],
    ['total_system_memory', total],
    ['total_system_memory_human', bytesToHuman(total)],
    ['used_memory_lua', 0],
    ['used_memory_vm_eval', 0],
    ['used_memory_lua_human', '0B'],
    ['used_memory_scripts_eval', 0],
    ['number_of_cached_scripts', scripting.scripts],
    ['number_of_functions', scripting.functions],
    ['number_of_libraries', scripting.libraries],
    ['used_memory_vm_functions', 0],
    ['used_memory_vm_total', 0],
    ['used_memory_vm_total_human', '0B'],
    ['used_memory_functions', 0],
    ['used_memory_scripts', 0],
    ['used_memory_scripts_human', '0B'],
    ['maxmemory', maxmemory],
    ['maxmemory_human', bytesToHuman(maxmemory)],
    ['maxmemory_policy', server.config.get('maxmemory-policy')],
    ['allocator_frag_ratio', ratio(mem.heapTotal, mem.heapUsed)],
    ['allocator_frag_bytes', Math.max(0, mem.heapTotal - mem.heapUsed)],
    ['allocator_rss_ratio', ratio(mem.rss, mem.heapTotal)],
    ['allocator_rss_bytes', mem.rss - mem.heapTotal],
    ['rss_overhead_ratio', '1.00'],
    ['rss_overhead_bytes', 0],
    ['mem_fragmentation_ratio', ratio(mem.rss, used)],
    ['mem_fragmentation_bytes', mem.rss - used],
    ['mem_not_counted_for_evict', server.memoryNotCountedForEvict()],
    ['mem_replication_backlog', replBuffers.backlog],
    ['mem_total_replication_buffers', replBuffers.total],
    ['mem_clients_slaves', replBuffers.replicas],
    ['mem_clients_normal', 0],
    ['mem_cluster_links', 0],
    ['mem_aof_buffer', 0],
    ['mem_allocator', 'libc'],
    ['active_defrag_running', 0],
    ['lazyfree_pending_objects', 0],
    ['lazyfreed_objects', 0],
  ]);
}

function persistenceSection(server: Server): string {
  // Present once persistence was set up for this server (see src/persistence/manager.ts).
  const persistence = server.existingSlot(PersistenceManager.slot);
  return lines('Persistence', [
    ['loading', server.replication.loading === 1 ? 1 : 0],
    ['async_loading', server.replication.loading === 2 ? 1 : 0],
    ['current_cow_peak', 0],
    ['current_cow_size', 0],
    ['current_cow_size_age', 0],
    ['current_fork_perc', '0.00'],
    ['current_save_keys_processed', 0],
    ['current_save_keys_total', 0],
    ['rdb_changes_since_last_save', server.dirty],
    ['rdb_bgsave_in_progress', persistence?.bgsave || persistence?.replicaSnapshotRunning ? 1 : 0],
    ['rdb_last_save_time', server.lastSave],
    ['rdb_last_bgsave_status', persistence && !persistence.lastBgsaveOk ? 'err' : 'ok'],
    ['rdb_last_bgsave_time_sec', -1],
    ['rdb_current_bgsave_time_sec', -1],
    ['rdb_saves', persistence?.rdbSaves ?? 0],
    ['rdb_last_cow_size', 0],
    ['rdb_last_load_keys_expired', persistence?.keysExpiredAtLoad ?? 0],
    ['rdb_last_load_keys_loaded', persistence?.keysLoaded ?? 0],
    ['aof_enabled', server.config.getBool('appendonly') ? 1 : 0],
    ['aof_rewrite_in_progress', persistence?.aof?.rewrite ? 1 : 0],
    ['aof_rewrite_scheduled', 0],
    ['aof_last_rewrite_time_sec', -1],
    ['aof_current_rewrite_time_sec', -1],
    ['aof_last_bgrewrite_status', 'ok'],
    ['aof_rewrites', 0],
    ['aof_rewrites_consecutive_failures', 0],
    ['aof_last_write_status', 'ok'],
    ['aof_last_cow_size', 0],
    ['module_fork_in_progress', 0],
    ['module_fork_last_cow_size', 0],
  ]);
}

function statsSection(server: Server): string {
  const st = server.stats;
  let hits = 0;
  let misses = 0;
  for (const db of server.databases) {
    hits += db.hits;
    misses += db.misses;
  }
  return lines('Stats', [
    ['total_connections_received', st.totalConnections],
    ['total_commands_processed', st.totalCommands],
    ['instantaneous_ops_per_sec', 0],
    ['total_net_input_bytes', st.netInputBytes],
    ['total_net_output_bytes', st.netOutputBytes],
    ['total_net_repl_input_bytes', st.netReplInputBytes],
    ['total_net_repl_output_bytes', 0],
    ['instantaneous_input_kbps', '0.00'],
    ['instantaneous_output_kbps', '0.00'],
    ['instantaneous_input_repl_kbps', '0.00'],
    ['instantaneous_output_repl_kbps', '0.00'],
    ['rejected_connections', st.rejectedConnections],
    ['sync_full', st.syncFull],
    ['sync_partial_ok', st.syncPartialOk],
    ['sync_partial_err', st.syncPartialErr],
    ['expired_keys', st.expiredKeys],
    ['expired_stale_perc', '0.00'],
    ['expired_time_cap_reached_count', 0],
    ['expire_cycle_cpu_milliseconds', 0],
    ['evicted_keys', st.evictedKeys],
    ['evicted_clients', 0],
    ['total_eviction_exceeded_time', 0],
    ['current_eviction_exceeded_time', 0],
    ['keyspace_hits', hits],
    ['keyspace_misses', misses],
    ['pubsub_channels', server.pubsub.channels.size],
    ['pubsub_patterns', server.pubsub.patterns.size],
    ['pubsubshard_channels', server.pubsub.shardChannels.size],
    ['latest_fork_usec', 0],
    ['total_forks', 0],
    ['migrate_cached_sockets', migrateCachedSockets(server)],
    ['slave_expires_tracked_keys', 0],
    ['active_defrag_hits', 0],
    ['active_defrag_misses', 0],
    ['active_defrag_key_hits', 0],
    ['active_defrag_key_misses', 0],
    ['total_active_defrag_time', 0],
    ['current_active_defrag_time', 0],
    ['tracking_total_keys', 0],
    ['tracking_total_items', 0],
    ['tracking_total_prefixes', 0],
    ['unexpected_error_replies', st.unexpectedErrorReplies],
    ['total_error_replies', st.totalErrorReplies],
    ['dump_payload_sanitizations', 0],
    ['total_reads_processed', st.totalCommands],
    ['total_writes_processed', st.totalCommands],
    ['io_threaded_reads_processed', 0],
    ['io_threaded_writes_processed', 0],
    ['reply_buffer_shrinks', 0],
    ['reply_buffer_expands', 0],
  ]);
}

/** INFO replication (genRedisInfoString's Replication section). */
function replicationSection(server: Server): string {
  const state = ReplicationState.of(server);
  const now = Math.floor(Date.now() / 1000);
  const fields: [string, string | number][] = [['role', state.master === null ? 'master' : 'slave']];
  if (state.master !== null) {
    const link = state.link;
    const connected = link !== null && link.state === 'connected';
    fields.push(
      ['master_host', state.master.host],
      ['master_port', state.master.port],
      ['master_link_status', connected ? 'up' : 'down'],
      ['master_last_io_seconds_ago', connected ? now - link!.lastIo : -1],
      ['master_sync_in_progress', link?.state === 'sync' ? 1 : 0],
      ['slave_read_repl_offset', connected ? link!.readOffset : (state.cachedMaster?.offset ?? 1)],
      ['slave_repl_offset', connected ? link!.appliedOffset : (state.cachedMaster?.offset ?? 1)],
    );
    const transfer = link?.transferProgress();
    if (transfer) {
      const perc = transfer.size > 0 ? (transfer.read / transfer.size) * 100 : 0;
      fields.push(
        ['master_sync_total_bytes', transfer.size],
        ['master_sync_read_bytes', transfer.read],
        ['master_sync_left_bytes', transfer.size - transfer.read],
        ['master_sync_perc', perc.toFixed(2)],
        ['master_sync_last_io_seconds_ago', now - link!.lastIo],
      );
    }
    if (!connected) fields.push(['master_link_down_since_seconds', link !== null && link.downSince ? now - link.downSince : -1]);
    fields.push(
      ['slave_priority', server.config.getInt('replica-priority')],
      ['slave_read_only', server.config.getBool('replica-read-only') ? 1 : 0],
      ['replica_announced', server.config.getBool('replica-announced') ? 1 : 0],
    );
  }
  const replicas = state.attached();
  fields.push(['connected_slaves', replicas.length]);
  const wanted = server.config.getInt('min-replicas-to-write');
  const maxLag = server.config.getInt('min-replicas-max-lag');
  if (wanted !== 0 && maxLag !== 0) fields.push(['min_slaves_good_slaves', state.replicas.goodCount(maxLag)]);
  replicas.forEach((r, i) => {
    const ip = replicaIp(r);
    const lag = r.state === 'online' ? now - r.ackTime : 0;
    fields.push([`slave${i}`, `ip=${ip},port=${r.listeningPort},state=${r.state === 'wait_bgsave_end' ? 'wait_bgsave' : r.state},offset=${r.ackOffset},lag=${lag}`]);
  });
  const backlog = state.backlog;
  fields.push(
    ['master_failover_state', state.failover.state],
    ['master_replid', state.replId],
    ['master_replid2', state.replId2],
    ['master_repl_offset', state.offset],
    ['second_repl_offset', state.secondReplOffset],
    ['repl_backlog_active', backlog !== null ? 1 : 0],
    ['repl_backlog_size', server.config.getInt('repl-backlog-size')],
    ['repl_backlog_first_byte_offset', backlog !== null ? backlog.firstByteOffset : 0],
    ['repl_backlog_histlen', backlog !== null ? backlog.histlen : 0],
  );
  return lines('Replication', fields);
}

function cpuSection(): string {
  const cpu = process.cpuUsage();
  return lines('CPU', [
    ['used_cpu_sys', secondsMicros(cpu.system)],
    ['used_cpu_user', secondsMicros(cpu.user)],
    ['used_cpu_sys_children', '0.000000'],
    ['used_cpu_user_children', '0.000000'],
    ['used_cpu_sys_main_thread', secondsMicros(cpu.system)],
    ['used_cpu_user_main_thread', secondsMicros(cpu.user)],
  ]);
}

function commandstatsSection(server: Server): string {
  let out = '# Commandstats\r\n';
  for (const [name, s] of server.stats.commands) {
    if (!s.calls && !s.failedCalls && !s.rejectedCalls) continue;
    const usec = Math.floor(s.usec);
    const perCall = s.calls === 0 ? 0 : usec / s.calls;
    out += `cmdstat_${safeInfoName(name)}:calls=${s.calls},usec=${usec},usec_per_call=${perCall.toFixed(2)},rejected_calls=${s.rejectedCalls},failed_calls=${s.failedCalls}\r\n`;
  }
  return out;
}

function errorstatsSection(server: Server): string {
  let out = '# Errorstats\r\n';
  // Redis keeps error codes in a radix tree: byte order.
  const codes = [...server.stats.errors.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  for (const code of codes) out += `errorstat_${safeInfoName(code)}:count=${server.stats.errors.get(code)}\r\n`;
  return out;
}

/** Redis's avg_ttl is a running estimate from expiry sampling; ours averages a sample. */
function averageTtl(expires: Map<string, number>, now: number): number {
  let sum = 0;
  let n = 0;
  for (const when of expires.values()) {
    if (when > now) {
      sum += when - now;
      n++;
    }
    if (n >= 128) break;
  }
  return n === 0 ? 0 : Math.floor(sum / n);
}

function keyspaceSection(server: Server): string {
  let out = '# Keyspace\r\n';
  const now = Date.now();
  for (const db of server.databases) {
    const keys = db.size;
    const expires = db.expires.size;
    if (keys || expires) out += `db${db.id}:keys=${keys},expires=${expires},avg_ttl=${averageTtl(db.expires, now)}\r\n`;
  }
  return out;
}

/** The INFO text for a request, sections in Redis's order separated by blank lines. */
export function infoText(server: Server, req: InfoRequest): string {
  const want = (name: string) => req.all || req.sections.has(name);
  const parts: string[] = [];
  if (want('server')) parts.push(serverSection(server));
  if (want('clients')) parts.push(clientsSection(server));
  if (want('memory')) parts.push(memorySection(server));
  if (want('persistence')) parts.push(persistenceSection(server));
  if (want('stats')) parts.push(statsSection(server));
  if (want('replication')) parts.push(replicationSection(server));
  if (want('cpu')) parts.push(cpuSection());
  if (req.all || req.sections.has('module_list') || req.sections.has('modules')) parts.push('# Modules\r\n');
  if (want('commandstats')) parts.push(commandstatsSection(server));
  if (want('errorstats')) parts.push(errorstatsSection(server));
  // No latency histograms are kept: the section is present but empty.
  if (want('latencystats')) parts.push('# Latencystats\r\n');
  if (want('cluster')) parts.push(lines('Cluster', [['cluster_enabled', server.config.getBool('cluster-enabled') ? 1 : 0]]));
  if (want('keyspace')) parts.push(keyspaceSection(server));
  return parts.join('\r\n');
}

/** CONFIG RESETSTAT also resets the memory peak (resetServerStats). */
export function resetInfoPeaks(server: Server): void {
  stateOf(server).peakMemory = 0;
}
