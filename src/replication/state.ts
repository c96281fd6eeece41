/**
 * The replication state of one server (replication.c's globals): the replication IDs and
 * offset, the backlog, the replicas attached to this server and, on a replica, the link
 * to its master. It is the one owner of that state: dispatch and scripting ask it through
 * `server.replication` (the ReplicationRole view), commands call its methods.
 *
 * - replid / master_repl_offset name the history this server's dataset is part of; a
 *   replica takes its master's. replid2 / second_repl_offset keep the previous history
 *   after a promotion, so that replicas of the old master can continue (psync2).
 * - On a master, propagated commands are fed to the backlog and to online replicas
 *   (feed). On a replica, the master's stream is applied and proxied byte for byte to
 *   the sub-replicas (feedStream), so that they share the top master's IDs and offsets.
 */
import { randomHex, type ReplicationRole, type ReplicationSaveInfo, type Server } from '../server/server.js';
import type { LoadedReplicationInfo } from '../persistence/manager.js';
import type { Client } from '../server/client.js';
import { encodeCommand } from '../server/propagation.js';
import { BlockingManager } from '../server/blocking.js';
import { ReplicationBuffer } from './repl-buffer.js';
import { MasterSide } from './master-side.js';
import type { AttachedReplica, PsyncPoint, ReplicationCore } from './roles.js';
import { MasterLink } from './master-link.js';
import { Failover } from './failover.js';

/** A new replication ID (changeReplicationId). */
const newReplId = (): string => randomHex(40);

const NO_REPLID = '0'.repeat(40);


export class ReplicationState implements ReplicationRole, ReplicationCore {
  replId = newReplId();
  replId2 = NO_REPLID;
  /** master_repl_offset: the offset of the last byte of the stream this server has. */
  offset = 0;
  /** second_repl_offset: replId2 is valid for offsets up to this one (-1: none). */
  secondReplOffset = -1;
  backlog: ReplicationBuffer | null = null;
  /** The database the stream last selected (-1: the next command selects). */
  selectedDb = -1;
  /** The replicas of this server. */
  readonly replicas: MasterSide;
  /** REPLICAOF host port, or null on a master. */
  master: { host: string; port: number } | null = null;
  /** On a replica: the link to the master (null once REPLICAOF NO ONE). */
  link: MasterLink | null = null;
  /** Where a new link PSYNCs from (null: "? -1", a full resync). */
  cachedMaster: PsyncPoint | null = null;
  /** Unix seconds since the server has no replicas (repl-backlog-ttl). */
  noReplicasSince = Math.floor(Date.now() / 1000);
  private cron: NodeJS.Timeout | null = null;
  /**
   * Keys given a TTL by this writable replica's own clients (slaveKeysWithExpire): the
   * only keys a replica expires by itself. "dbid\0key".
   */
  private readonly ownKeysWithExpire = new Set<string>();

  /** FAILOVER's state machine. */
  readonly failover: Failover;

  private constructor(readonly server: Server) {
    this.replicas = new MasterSide(server, this);
    this.failover = new Failover(server, this);
  }

  /** The server's replication state, installed on first use. */
  static of(server: Server): ReplicationState {
    if (server.replication instanceof ReplicationState) return server.replication;
    const state = new ReplicationState(server);
    server.replication = state;
    server.shutdownHooks.push(() => state.stop());
    return state;
  }

  // -- ReplicationRole ---------------------------------------------------------------------

  get linkUp(): boolean {
    return this.link !== null && this.link.state === 'connected';
  }

  get loading(): 0 | 1 | 2 {
    return this.link?.loadingMode ?? 0;
  }

  get streaming(): boolean {
    return this.backlog !== null;
  }

  enoughGoodReplicas(): boolean {
    const wanted = this.server.minReplicasToWrite;
    if (wanted === 0 || this.master !== null) return true;
    const maxLag = this.server.config.getInt('min-replicas-max-lag');
    return maxLag === 0 || this.replicas.goodCount(maxLag) >= wanted;
  }

  /** replicationFeedSlaves: SELECT when the database changes, then the command. */
  feed(dbId: number, argv: readonly string[]): void {
    // A replica proxies its master's stream instead (feedStream).
    if (this.backlog === null || this.master !== null) return;
    let bytes = '';
    if (dbId !== this.selectedDb) {
      bytes = encodeCommand(['SELECT', String(dbId)]);
      this.selectedDb = dbId;
    }
    bytes += encodeCommand(argv);
    this.feedStream(bytes);
  }

  /** A command for the replicas in whatever database the stream is (PING, DEBUG REPLICATE). */
  feedUnselected(argv: readonly string[]): void {
    if (this.backlog !== null && this.master === null) this.feedStream(encodeCommand(argv));
  }

  /** Bytes of the replication stream: to the backlog and every replica that takes them. */
  feedStream(bytes: string): void {
    if (bytes.length === 0) return;
    this.offset += bytes.length;
    if (this.backlog === null) return;
    const newBlock = this.backlog.append(bytes);
    this.replicas.fed(newBlock);
  }

  /** rememberSlaveKeyWithExpire: a write of a replica's own client left `key` with a TTL. */
  rememberOwnKeyWithExpire(dbId: number, key: string): void {
    if (this.master !== null) this.ownKeysWithExpire.add(`${dbId}\0${key}`);
  }

  /** expireSlaveKeys: deletes the remembered keys whose TTL passed (no DEL is propagated). */
  private expireOwnKeys(): void {
    if (this.ownKeysWithExpire.size === 0) return;
    const now = Date.now();
    for (const id of this.ownKeysWithExpire) {
      const sep = id.indexOf('\0');
      const db = this.server.databases[Number(id.slice(0, sep))];
      const key = id.slice(sep + 1);
      const when = db?.getExpire(key);
      if (db === undefined || when === undefined) {
        this.ownKeysWithExpire.delete(id);
      } else if (when <= now) {
        // Removed as it is: on a replica, delete() would treat an expired key as absent.
        db.takeEntry(key);
        db.modified(key);
        this.ownKeysWithExpire.delete(id);
      }
    }
  }

  // -- Histories -----------------------------------------------------------------------------

  /** createReplicationBacklog: the next byte of the stream is offset + 1. */
  createBacklog(): void {
    this.backlog = new ReplicationBuffer(this.server.config.getInt('repl-backlog-size'), this.offset + 1);
  }

  /** changeReplicationId + clearReplicationId2: a new history with no past. */
  newHistory(): void {
    this.replId = newReplId();
    this.replId2 = NO_REPLID;
    this.secondReplOffset = -1;
  }

  /**
   * shiftReplicationId: the current history becomes the secondary one, valid up to the
   * current offset, and a new one starts (a replica promoted, or a new master's replid).
   */
  shiftReplicationId(newId = newReplId()): void {
    this.replId2 = this.replId;
    this.secondReplOffset = this.offset + 1;
    this.replId = newId;
    this.server.log.warning(
      `Setting secondary replication ID to ${this.replId2}, valid up to offset: ${this.secondReplOffset}. New replication ID is ${this.replId}`,
    );
  }

  /** The replicas' view of a sync this replica just completed with its master. */
  adoptMasterHistory(replId: string, offset: number): void {
    this.replId = replId;
    this.offset = offset;
    this.replId2 = NO_REPLID;
    this.secondReplOffset = -1;
    this.createBacklog();
  }

  // -- Role changes --------------------------------------------------------------------------

  /** replicationSetMaster: REPLICAOF host port. */
  setMaster(host: string, port: number): void {
    const wasMaster = this.master === null;
    this.link?.close();
    this.link = null;
    // Clients blocked while this was a master cannot be served as replicas (issue #2473).
    BlockingManager.of(this.server).disconnectAllBlocked();
    this.master = { host, port };
    // CONFIG GET / REWRITE replicaof show the current master, as Redis's special config.
    this.server.config.setInitial('replicaof', `${host} ${port}`);
    this.server.log.roleMark = 'S';
    // A replica leaves expiry to its master: logically expired keys stay until its DEL.
    for (const db of this.server.databases) db.expireEnabled = false;
    // Replicas are kept: they can partially resync with us after we synced with the new
    // master (they are dropped when our history changes).
    if (wasMaster) this.cachedMaster = { replId: this.replId, offset: this.offset, db: this.restoredStreamDb };
    this.server.log.notice(`Connecting to MASTER ${host}:${port}`);
    this.link = new MasterLink(this.server, this, host, port);
    this.link.connect();
    this.startCron();
  }

  /** replicationUnsetMaster: REPLICAOF NO ONE. */
  unsetMaster(): void {
    if (this.master === null) return;
    this.server.log.notice('Connection with master lost.');
    this.link?.close();
    this.link = null;
    this.master = null;
    this.server.config.setInitial('replicaof', '');
    this.server.log.roleMark = 'M';
    for (const db of this.server.databases) db.expireEnabled = true;
    this.ownKeysWithExpire.clear();
    this.cachedMaster = null;
    this.shiftReplicationId();
    // Replicas learn the new replid by reconnecting (and partially resync).
    this.replicas.disconnectAll();
    this.selectedDb = -1;
    this.noReplicasSince = Math.floor(Date.now() / 1000);
  }

  /** Replicas attached to this server, with what they reported. */
  attached(): readonly AttachedReplica[] {
    return this.replicas.list();
  }

  // -- replicationCron ----------------------------------------------------------------------

  startCron(): void {
    if (this.cron !== null) return;
    this.cron = setInterval(() => this.tick(), 1000);
    this.cron.unref();
  }

  private tick(): void {
    const now = Math.floor(Date.now() / 1000);
    this.link?.cron(now);
    this.failover.update();
    if (this.master !== null) this.expireOwnKeys();
    this.replicas.cron(now);
    // Without replicas for repl-backlog-ttl seconds, a master frees its backlog.
    const ttl = this.server.config.getInt('repl-backlog-ttl');
    if (this.master === null && this.backlog !== null && this.replicas.list().length === 0 && ttl > 0 && now - this.noReplicasSince > ttl) {
      this.newHistory();
      this.backlog = null;
      this.server.log.notice(`Replication backlog freed after ${ttl} seconds without connected replicas.`);
    }
  }

  /** rdbPopulateSaveInfo: on a master with a backlog, or a replica with a master link. */
  saveInfo(): ReplicationSaveInfo | null {
    if (this.master === null) {
      if (this.backlog === null) return null;
      return { streamDb: this.selectedDb === -1 ? 0 : this.selectedDb, replId: this.replId, offset: this.offset };
    }
    const link = this.link;
    if (link !== null && link.client !== null) return { streamDb: link.client.db.id, replId: this.replId, offset: link.appliedOffset };
    if (this.cachedMaster !== null) return { streamDb: this.cachedMaster.db, replId: this.cachedMaster.replId, offset: this.cachedMaster.offset };
    return null;
  }

  /**
   * loadDataFromDisk: the history an RDB recorded. A replica continues it (its cached
   * master is itself); a master keeps it as replid2 so its old replicas can continue.
   */
  restoreHistory(info: LoadedReplicationInfo, asReplica: boolean): void {
    if (asReplica) {
      this.replId = info.replId;
      this.offset = info.offset;
      this.cachedMaster = { replId: info.replId, offset: info.offset, db: info.streamDb };
      this.restoredStreamDb = info.streamDb;
    } else {
      this.replId2 = info.replId;
      this.secondReplOffset = info.offset + 1;
      this.offset = info.offset;
      this.createBacklog();
      this.noReplicasSince = Math.floor(Date.now() / 1000);
      // RDBFLAGS_FEED_REPL: keys that expired while the master was down are deleted on
      // its replicas too, by DELs in the backlog after the saved offset.
      const del = this.server.config.getBool('lazyfree-lazy-expire') ? 'UNLINK' : 'DEL';
      for (const { dbId, key } of info.expired) this.feed(dbId, [del, key]);
    }
  }

  /** The database a restarted replica's master stream was in (its first command may not SELECT). */
  restoredStreamDb = 0;

  /** mem_total_replication_buffers. */
  bufferMemory(): number {
    return this.backlog?.memory ?? 0;
  }

  /** The part of a replica's output in the replication buffer (CLIENT LIST tot-mem). */
  replicaOutputMemory(client: Client): number {
    return this.replicas.outputMemory(client);
  }

  /** Resizes the backlog after CONFIG SET repl-backlog-size. */
  resizeBacklog(): void {
    this.backlog?.resize(this.server.config.getInt('repl-backlog-size'));
  }

  stop(): void {
    if (this.cron !== null) clearInterval(this.cron);
    this.cron = null;
    this.link?.close();
  }
}

/**
 * The `replicaof host port` of the configuration (config file, command line or an
 * embedder's config), started once the server listens.
 */
export function startConfiguredReplication(
  server: Server,
  loaded: LoadedReplicationInfo | null = null,
): void {
  const value = server.config.get('replicaof').trim();
  const [host, port] = value.split(/\s+/);
  const replica = host !== undefined && host !== '' && port !== undefined && /^\d+$/.test(port);
  if (loaded !== null) ReplicationState.of(server).restoreHistory(loaded, replica);
  if (!replica) return;
  const state = ReplicationState.of(server);
  // The restored history is ours: PSYNC with it (setMaster caches "myself" when it was a
  // master). Without one, a new replica asks for a full resync (PSYNC ? -1).
  state.setMaster(host!, Number(port));
  if (loaded === null) state.cachedMaster = null;
}
