/**
 * One lunakv server instance: configuration, databases, clients, and the services that
 * commands share (WATCH, pub/sub, stats). Several instances can live in one process.
 */
import { randomBytes } from 'node:crypto';
import { outputLimitsOf, type OutputLimits } from './output-limits.js';
import { Database, type Clock, type KeyspaceListener } from '../keyspace/database.js';
import { Config } from './config.js';
import type { Client } from './client.js';
import { WatchRegistry } from './watch.js';
import { PubSub } from './pubsub.js';
import { Stats } from './stats.js';
import { MemoryAccountant, STARTUP_BYTES, scheduleEvictions } from './eviction.js';
import { Logger } from './logger.js';
import { ActiveExpire } from './active-expire.js';
import { Slowlog } from './slowlog.js';
import { sdsRepr } from '../protocol/repr.js';
import { NotifyClass, notifyKeyspaceEvent, parseNotifyClasses } from './notifications.js';
import { PushReply, SimpleReply } from '../protocol/reply.js';
import type { EncodingLimits } from '../keyspace/value.js';
import type { CommandEntry } from '../commands/registry.js';
import type { CommandSpec } from '../commands/spec.js';
import type { Reply } from '../protocol/reply.js';
import type { Slot } from './slot.js';

/** The state of the script being run (scripts run to completion, or suspend past a budget). */
export interface ScriptState {
  running: boolean;
  /** Past busy-reply-threshold: other clients get BUSY errors. */
  timedOut: boolean;
  /** EVAL (true) or FCALL (false), for the BUSY error text. */
  isEval: boolean;
  /** The client running the script (its own later commands wait too). */
  client: Client | null;
}

/** Hooks that later subsystems (blocking, scripting, persistence) attach to a server. */
export interface KeyReadyHandler {
  keyReady(db: Database, key: string): void;
  /** Keys of `db` that clients are blocked on (SWAPDB re-signals those that now exist). */
  blockedKeys?(db: Database): Iterable<string>;
}

/**
 * Sees every write command run through call() (persistence: the AOF logs them, a
 * background save preserves the keys they are about to change).
 */
export interface CommandObserver {
  /** Before a command flagged WRITE runs. */
  beforeWrite(client: Client, entry: CommandEntry, args: string[]): void;
  /** After it ran; `dirtyBefore` is server.dirty before it (unchanged: nothing to log). */
  afterWrite(client: Client, entry: CommandEntry, args: string[], reply: Reply, dirtyBefore: number): void;
  /** Before a blocked client is tried on a ready key (the serve changes keys outside call()). */
  beforeBlockedServe(client: Client, db: Database): void;
  /** After a blocked client was served with `reply` (not an error). */
  afterBlockedServe(client: Client, db: Database, reply: Reply): void;
  /** A key was deleted because its TTL passed (lazily or by the active cycle). */
  keyExpired?(db: Database, key: string): void;
  /**
   * After a top-level call() (not nested in EXEC or a script) finished, or a blocked
   * client was served (entry null): propagation flushes.
   */
  afterCall?(entry: CommandEntry | null): void;
}

/**
 * What the server's own layers (dispatch, propagation, eviction, expiry) ask of
 * replication. src/replication/ owns the state and installs itself here; until then
 * the server is a master without replicas.
 */
export interface ReplicationRole {
  /** The master this server replicates from (REPLICAOF host port), or null. */
  readonly master: { readonly host: string; readonly port: number } | null;
  /** The link with the master is up: synced and streaming (repl_state CONNECTED). */
  readonly linkUp: boolean;
  /**
   * A replica loading its master's payload as it arrives (repl-diskless-load): 1 loading
   * (clients get LOADING), 2 async_loading (the old dataset is served meanwhile), else 0.
   */
  readonly loading: 0 | 1 | 2;
  /** checkGoodReplicasStatus: min-replicas-to-write is met (always true on a replica). */
  enoughGoodReplicas(): boolean;
  /** A replication backlog exists, so propagated commands are worth computing. */
  readonly streaming: boolean;
  /** replicationFeedSlaves: one propagated command for the backlog and the replicas. */
  feed(dbId: number, argv: readonly string[]): void;
  /** A writable replica's own client gave `key` a TTL (the replica expires it itself). */
  rememberOwnKeyWithExpire?(dbId: number, key: string): void;
  /** rdbPopulateSaveInfo: what an RDB saved now records of the replication history. */
  saveInfo?(): ReplicationSaveInfo | null;
  /** CONFIG SET repl-backlog-size. */
  resizeBacklog?(): void;
  /** mem_total_replication_buffers: the backlog and replicas' stream, held once. */
  bufferMemory?(): number;
  /** What a replica client holds of the replication buffer (its output buffer memory). */
  replicaOutputMemory?(client: Client): number;
}

/**
 * What dispatch asks of the cluster (src/cluster/ installs it with cluster-enabled yes;
 * null in standalone mode, so routing costs one null check there).
 */
export interface ClusterRole {
  /**
   * getNodeByQuery for a command about to run or be queued: null when this node serves
   * it, else the redirection or error to reply (MOVED, ASK, CROSSSLOT, TRYAGAIN,
   * CLUSTERDOWN). `flags` are the command's flags for this call.
   */
  route(client: Client, entry: CommandEntry, args: string[], flags: number): import('../protocol/reply.js').ErrorReply | null;
  /**
   * scriptVerifyClusterState's getNodeByQuery for a command a script calls, with the
   * caller's READONLY / ASKING: where its keys are.
   */
  scriptKeyAccess(caller: Client, command: { readonly spec: CommandSpec }, argv: string[]): ScriptKeyAccess;
  /** CONFIG SET of a cluster-* parameter (announced address and ports, no-failover). */
  configChanged?(name: string): void;
}

/**
 * What a script's command finds of its keys in the cluster: served here (`slot` is their
 * slot, -1 without keys), or refused because the cluster is down ('down'), down and
 * read-only for a write ('down-ro'), or the keys live elsewhere ('not-local': MOVED,
 * ASK, CROSSSLOT, TRYAGAIN, an unbound slot).
 */
export type ScriptKeyAccess = { slot: number } | 'down' | 'down-ro' | 'not-local';

/** repl-stream-db, repl-id and repl-offset of an RDB (a restarted server can partially resync). */
export interface ReplicationSaveInfo {
  streamDb: number;
  replId: string;
  offset: number;
}

/** A master that never had a replica. */
const NO_REPLICATION: ReplicationRole = {
  master: null,
  linkUp: false,
  loading: 0,
  enoughGoodReplicas: () => true,
  streaming: false,
  feed: () => {},
};

/** `n` random hex digits (run ids, replication ids). */
export function randomHex(n: number): string {
  return randomBytes(Math.ceil(n / 2)).toString('hex').slice(0, n);
}

/** What SHUTDOWN was asked to do (Redis's SHUTDOWN flags). */
export interface ShutdownRequest {
  save: boolean;
  nosave: boolean;
  now: boolean;
  force: boolean;
}

export class Server implements KeyspaceListener {
  readonly config = new Config();
  readonly clock: Clock = { now: Date.now() };
  databases: Database[] = [];
  readonly clients = new Map<number, Client>();
  readonly watches = new WatchRegistry();
  readonly pubsub = new PubSub();
  readonly stats = new Stats();
  readonly log: Logger;
  readonly activeExpire: ActiveExpire;
  readonly startTime = Date.now();
  readonly runId: string;
  /** Changes since the last save (for the save schedule and INFO). */
  dirty = 0;
  lastSave = Math.floor(Date.now() / 1000);
  /** Set by blocking-commands support; null until a blocking command exists. */
  keyReadyHandler: KeyReadyHandler | null = null;
  /** CLIENT PAUSE state: until (ms) and whether only writes are paused. */
  pause: { until: number; writesOnly: boolean } | null = null;
  /** Monitors receive every command. */
  readonly monitors = new Set<Client>();
  readonly slowlog = new Slowlog();
  slowlogThresholdUs = 10000;
  /** proto-max-bulk-len and client-query-buffer-limit, cached for the parser. */
  readonly parserLimits = { maxBulkLen: 512 * 1024 * 1024, maxQueryBuffer: 1024 * 1024 * 1024 };
  /** min-replicas-to-write, cached: every write asks whether enough replicas are good. */
  minReplicasToWrite = 0;
  /** notify-keyspace-events as class bits (0: notifications off). */
  notifyFlags = 0;
  /** maxmemory in bytes (0 = no limit), cached from the config. */
  maxmemory = 0;
  readonly scriptState: ScriptState = { running: false, timedOut: false, isEval: true, client: null };
  /** Clients whose next command waits for a script or a pause to end. */
  private readonly deferred = new Set<Client>();
  /**
   * The slots' values by slot name; read them with slot() / existingSlot(). (The
   * scripting engine, installed with the server, keeps itself under 'scripting' and is
   * read back with an instanceof check: ScriptingEngine.of.)
   */
  readonly extensions = new Map<string, unknown>();
  /** The last client id given out (ids increase from 1, as in Redis). */
  lastClientId = 0;
  /** Bound port once listening. */
  port = 0;
  host = '127.0.0.1';
  shuttingDown = false;
  /** DEBUG SET-SKIP-CHECKSUM-VALIDATION: payload CRCs are not checked. */
  skipChecksumValidation = false;
  /** DEBUG SET-DISABLE-DENY-SCRIPTS: scripts may call commands flagged noscript. */
  scriptDenyDisabled = false;
  /** The listening socket once listening (SHUTDOWN closes it). */
  listener: import('node:net').Server | null = null;
  /** Set by SHUTDOWN before the shutdown hooks run, so they know SAVE/NOSAVE/FORCE. */
  shutdownRequest: ShutdownRequest | null = null;
  /** The *-max-listpack-* configs, cached for OBJECT ENCODING and conversions. */
  readonly encodingLimits: EncodingLimits = {
    hashMaxListpackEntries: 512,
    hashMaxListpackValue: 64,
    setMaxIntsetEntries: 512,
    zsetMaxListpackEntries: 128,
    zsetMaxListpackValue: 64,
    listMaxListpackSize: -2,
  };
  /** Set by the blocking machinery: serves keys made ready by the command just run. */
  afterCommand: (() => void) | null = null;
  /** The config file the server was started with (CONFIG REWRITE writes it). */
  configFile: string | null = null;
  /** Set by the program (bin) or embedder: what SHUTDOWN does after closing clients. */
  onShutdown: (() => void) | null = null;
  /** Set by persistence: observes write commands (AOF, background save). */
  commandObserver: CommandObserver | null = null;
  /** The replication state's view for dispatch and propagation (src/replication/ sets it). */
  replication: ReplicationRole = NO_REPLICATION;
  /** The cluster's view for dispatch (src/cluster/ sets it when cluster-enabled is yes). */
  cluster: ClusterRole | null = null;
  /** Nesting depth of call(): 0 between top-level commands. */
  callDepth = 0;
  /** client-output-buffer-limit, parsed (connections check it after each write). */
  outputLimits: OutputLimits = outputLimitsOf(this.config.get('client-output-buffer-limit'));
  /** Hooks run before shutting down (persistence saves here). */
  readonly shutdownHooks: (() => Promise<void> | void)[] = [];

  constructor() {
    this.runId = randomHex(40);
    this.log = new Logger(this.config);
    this.createDatabases();
    this.activeExpire = new ActiveExpire(this);
    this.config.onChange = (name, value) => this.applyConfig(name, value);
  }

  /** Reacts to a configuration change (from CONFIG SET or start-up). */
  applyConfig(name: string, value: string): void {
    if (this.cluster !== null && name.startsWith('cluster-')) this.cluster.configChanged?.(name);
    switch (name) {
      case 'client-output-buffer-limit':
        this.outputLimits = outputLimitsOf(value);
        break;
      case 'hash-max-listpack-entries':
        this.encodingLimits.hashMaxListpackEntries = Number(value);
        break;
      case 'hash-max-listpack-value':
        this.encodingLimits.hashMaxListpackValue = Number(value);
        break;
      case 'set-max-intset-entries':
        this.encodingLimits.setMaxIntsetEntries = Number(value);
        break;
      case 'zset-max-listpack-entries':
        this.encodingLimits.zsetMaxListpackEntries = Number(value);
        break;
      case 'zset-max-listpack-value':
        this.encodingLimits.zsetMaxListpackValue = Number(value);
        break;
      case 'list-max-listpack-size':
        this.encodingLimits.listMaxListpackSize = Number(value);
        break;
      case 'maxmemory':
        this.maxmemory = Number(value);
        // updateMaxmemory: a lower limit starts evicting without waiting for a command.
        if (this.maxmemory > 0) scheduleEvictions(this);
        break;
      case 'min-replicas-to-write':
        this.minReplicasToWrite = Number(value);
        break;
      case 'repl-backlog-size':
        this.replication.resizeBacklog?.();
        break;
      case 'notify-keyspace-events':
        this.notifyFlags = parseNotifyClasses(value);
        break;
      case 'proto-max-bulk-len':
        this.parserLimits.maxBulkLen = Number(value);
        break;
      case 'client-query-buffer-limit':
        this.parserLimits.maxQueryBuffer = Number(value);
        break;
      case 'slowlog-log-slower-than':
        this.slowlogThresholdUs = Number(value);
        break;
      case 'slowlog-max-len':
        this.slowlog.maxLen = Number(value);
        if (this.slowlog.entries.length > this.slowlog.maxLen) this.slowlog.entries.length = this.slowlog.maxLen;
        break;
      case 'hz':
        this.activeExpire.stop();
        this.activeExpire.start();
        break;
    }
  }

  /** The subsystem in `key`'s slot, created on first use. */
  slot<T>(key: Slot<T, Server>): T {
    let value = this.existingSlot(key);
    if (value === undefined) {
      value = key.create(this);
      this.extensions.set(key.name, value);
    }
    return value;
  }

  /** The subsystem in `key`'s slot if something created it (undefined: never used). */
  existingSlot<T>(key: Slot<T, Server>): T | undefined {
    // The only cast: a slot name holds what its key's create() returned.
    return this.extensions.get(key.name) as T | undefined;
  }

  /** Estimated bytes in use (INFO used_memory), sampled at most every 50 ms. */
  usedMemory(): number {
    if (this.memoryUntracked) {
      // Writes were not tracked key by key (no maxmemory): measure everything again.
      for (const db of this.databases) this.memory.invalidate(db);
      this.memoryUntracked = false;
    }
    this.lastUsedMemory = STARTUP_BYTES + this.memory.datasetBytes(this.databases) + (this.replication.bufferMemory?.() ?? 0);
    return this.lastUsedMemory;
  }

  /**
   * freeMemoryGetNotCountedMemory: the replication buffer beyond the backlog's own size
   * is the replicas' output, which eviction does not count.
   */
  memoryNotCountedForEvict(): number {
    const buffers = this.replication.bufferMemory?.() ?? 0;
    if (buffers === 0) return 0;
    const backlogSize = this.config.getInt('repl-backlog-size');
    // Redis's estimate of the backlog's own block bookkeeping (16 KB blocks).
    const counted = backlogSize + (Math.floor(backlogSize / (16 * 1024)) + 1) * 64;
    return buffers > counted ? buffers - counted : 0;
  }

  /** The last usedMemory() measured (a full measure can take a while on a big dataset). */
  lastUsedMemory = STARTUP_BYTES;

  /**
   * Without maxmemory, writes only set this flag instead of recording each key, and
   * usedMemory() (INFO) measures the dataset again: the write path stays cheap.
   */
  private memoryUntracked = false;

  /** The dataset's estimated size, what used_memory and eviction measure (eviction.ts). */
  readonly memory = new MemoryAccountant();

  isOutOfMemory(): boolean {
    return this.maxmemory > 0 && this.usedMemory() - this.memoryNotCountedForEvict() > this.maxmemory;
  }

  /** Ends a client's MULTI state and its WATCHes. */
  discardTransaction(client: Client): void {
    client.multi = null;
    this.watches.unwatchAll(client);
  }

  feedMonitors(client: Client, args: string[]): void {
    const now = Date.now() / 1000;
    const quoted = args.map(sdsRepr).join(' ');
    const line = new SimpleReply(`${now.toFixed(6)} [${client.db.id} ${client.isScript ? 'lua' : client.addr}] ${quoted}`);
    for (const m of this.monitors) if (m !== client) m.push(line);
  }

  /** A client's command could not run now; it is resumed by resumeDeferred. */
  deferClient(client: Client): void {
    this.deferred.add(client);
    if (this.pause) {
      const wait = Math.max(0, this.pause.until - Date.now());
      setTimeout(() => this.resumeDeferred(), wait + 1).unref();
    }
  }

  /** True when some client waits in the deferred set (resumeDeferred has work to do). */
  hasDeferredClients(): boolean {
    return this.deferred.size !== 0;
  }

  /** Lets deferred clients try their commands again (script finished, pause over). */
  resumeDeferred(): void {
    if (this.pause && this.pause.until <= Date.now()) this.pause = null;
    const clients = [...this.deferred];
    this.deferred.clear();
    for (const c of clients) if (!c.closed) c.onResume();
  }

  removeClient(client: Client): void {
    this.clients.delete(client.id);
    this.deferred.delete(client);
    this.monitors.delete(client);
    this.watches.unwatchAll(client);
    this.pubsub.unsubscribeAll(client, false);
    this.pubsub.punsubscribeAll(client, false);
    this.pubsub.sunsubscribeAll(client, false);
    this.onClientRemoved?.(client);
  }

  /** Set by the blocking machinery to drop a closed client's blocked state. */
  onClientRemoved: ((client: Client) => void) | null = null;

  /** (Re)creates the databases after the `databases` config is known. */
  createDatabases(): void {
    const n = this.config.getInt('databases');
    this.databases = [];
    for (let i = 0; i < n; i++) this.databases.push(new Database(i, this.clock, this));
  }

  nextClientId(): number {
    return ++this.lastClientId;
  }

  requiresAuth(): boolean {
    return this.config.get('requirepass') !== '';
  }

  // KeyspaceListener
  keyCreated(db: Database, key: string): void {
    if (this.notifyFlags !== 0) notifyKeyspaceEvent(this, NotifyClass.NEW, 'new', key, db.id);
  }

  keyModified(db: Database, key: string): void {
    this.dirty++;
    if (this.maxmemory !== 0) this.memory.touched(db, key);
    else this.memoryUntracked = true;
    if (this.watches.size !== 0) this.watches.touch(db, key);
    // A key created by RENAME, MOVE, RESTORE, SORT STORE... may serve blocked clients.
    if (this.keyReadyHandler !== null) this.keyReadyHandler.keyReady(db, key);
  }

  keyExpired(db: Database, key: string): void {
    this.stats.expiredKeys++;
    if (this.maxmemory !== 0) this.memory.touched(db, key);
    else this.memoryUntracked = true;
    if (this.notifyFlags !== 0) notifyKeyspaceEvent(this, NotifyClass.EXPIRED, 'expired', key, db.id);
    this.commandObserver?.keyExpired?.(db, key);
  }

  contentsSwapped(a: Database, b: Database): void {
    this.memory.invalidate(a);
    this.memory.invalidate(b);
  }

  keyReady(db: Database, key: string): void {
    this.keyReadyHandler?.keyReady(db, key);
  }

  databaseFlushed(db: Database): void {
    this.memory.invalidate(db);
    if (this.watches.size !== 0) this.watches.touchAll(db);
    // XREADGROUP clients blocked on a flushed stream get an error (scanDatabaseForDeletedStreams).
    const blocked = this.keyReadyHandler?.blockedKeys?.(db);
    if (blocked) for (const key of [...blocked]) this.keyReadyHandler!.keyReady(db, key);
  }

  /** Runs shutdown hooks, closes every client, then calls onShutdown. */
  async shutdown(): Promise<void> {
    if (this.shuttingDown) return;
    this.shuttingDown = true;
    this.activeExpire.stop();
    for (const hook of this.shutdownHooks) await hook();
    for (const c of this.clients.values()) c.sink?.close(false);
    this.onShutdown?.();
  }

  /** Total number of keys in all databases. */
  totalKeys(): number {
    let n = 0;
    for (const db of this.databases) n += db.size;
    return n;
  }
}
