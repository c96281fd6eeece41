/**
 * The cluster state of one node (cluster.c's clusterState and the functions around it):
 * the node table, the slot table, epochs, the bus links and what flows over them (MEET
 * handshake, PING/PONG with gossip, FAIL, UPDATE, PUBLISH, failover votes), failure
 * detection (PFAIL -> FAIL by a majority of masters within cluster-node-timeout), the
 * cluster state (ok/fail) and nodes.conf.
 *
 * Function names in comments are Redis 7.0's, so each part can be read against the source.
 * Work Redis defers to clusterBeforeSleep (save the config, update the state) is queued
 * with doBeforeSleep and run once, on the next turn of the event loop.
 */
import type net from 'node:net';
import path from 'node:path';
import type { ErrorReply } from '../protocol/reply.js';
import type { ClusterRole, ScriptKeyAccess, Server } from '../server/server.js';
import type { Client } from '../server/client.js';
import type { ShardChannelIndex } from '../server/pubsub.js';
import type { CommandEntry } from '../commands/registry.js';
import type { CommandSpec } from '../commands/spec.js';
import { ReplicationState } from '../replication/state.js';
import { encodeMessage, messageTypeName, MSG_TYPE_COUNT, MsgFlag0, MsgType, SLOTS, type BusMessage, type GossipEntry, type PingExtension, EXT_TYPE_HOSTNAME } from './bus-message.js';
import { Link, listenBus, type LinkHandler } from './bus.js';
import { ClusterNode, NodeFlag, randomNodeId, setBit, testBit, validNodeId, clearBit } from './node.js';
import { describeNode, readNodesConf, slotRangesByNode, writeNodesConf, type NodesConf } from './nodes-conf.js';
import { routeCommand, scriptKeyAccess, type RoutingTable } from './routing.js';
import { keyHashSlot } from './key-slot.js';
import { Elections } from './failover.js';

export const CLUSTER_OK = 0;
export const CLUSTER_FAIL = 1;
const PORT_INCR = 10000;
const FAIL_REPORT_VALIDITY_MULT = 2;
const FAIL_UNDO_TIME_MULT = 2;
const BLACKLIST_TTL = 60;
const MAX_REJOIN_DELAY = 5000;
const MIN_REJOIN_DELAY = 500;
const WRITABLE_DELAY = 2000;

export const Todo = {
  HANDLE_FAILOVER: 1,
  UPDATE_STATE: 2,
  SAVE_CONFIG: 4,
  FSYNC_CONFIG: 8,
  HANDLE_MANUALFAILOVER: 16,
} as const;

/** clusterBroadcastPong's targets. */
export const BROADCAST_ALL = 0;
export const BROADCAST_LOCAL_SLAVES = 1;

/** A cluster configuration that must stop the server (Redis exits). */
export class FatalClusterError extends Error {}

export class ClusterState implements ClusterRole, LinkHandler<ClusterNode>, RoutingTable {
  readonly nodes = new Map<string, ClusterNode>();
  myself!: ClusterNode;
  currentEpoch = 0;
  lastVoteEpoch = 0;
  state = CLUSTER_FAIL;
  /** Masters serving at least one slot. */
  size = 1;
  readonly slots: (ClusterNode | null)[] = new Array(SLOTS).fill(null);
  /** slots_to_channels: the shard channels with subscribers here, by slot. */
  private readonly channelsBySlot = new Map<number, Set<string>>();
  readonly migratingTo: (ClusterNode | null)[] = new Array(SLOTS).fill(null);
  readonly importingFrom: (ClusterNode | null)[] = new Array(SLOTS).fill(null);
  /** Slots whose owner stopped claiming them (kept bound until another claims them). */
  readonly ownerNotClaimingSlot = new Uint8Array(SLOTS / 8);
  /** CLUSTER FORGET's blacklist: node id -> unix seconds until it may be added again. */
  private readonly blacklist = new Map<string, number>();
  readonly statsSent = new Array<number>(MSG_TYPE_COUNT).fill(0);
  readonly statsReceived = new Array<number>(MSG_TYPE_COUNT).fill(0);
  statsPfailNodes = 0;
  linksBufferLimitExceeded = 0;
  private todo = 0;
  private todoScheduled = false;
  private firstUpdateStateCall = 0;
  private amongMinorityTime = 0;
  private cronTimer: NodeJS.Timeout | null = null;
  private cronIteration = 0;
  private pingsSent = 0;
  private busListener: net.Server | null = null;
  /** Inbound links whose node is not known yet. */
  private readonly anonymousLinks = new Set<Link<ClusterNode>>();
  readonly elections: Elections;
  readonly configFile: string;
  stopped = false;

  private constructor(readonly server: Server) {
    const file = server.config.get('cluster-config-file');
    this.configFile = path.isAbsolute(file) ? file : path.join(server.config.get('dir') || '.', file);
    this.elections = new Elections(this);
  }

  /** The server's cluster state (cluster-enabled yes), or null in standalone mode. */
  static of(server: Server): ClusterState | null {
    return server.cluster instanceof ClusterState ? server.cluster : null;
  }

  // -- Start and stop (clusterInit) -----------------------------------------------------------

  /**
   * clusterInit: loads nodes.conf (or creates myself and writes it), listens on the bus
   * port and starts the cron. Throws FatalClusterError where Redis exits.
   */
  static async start(server: Server): Promise<ClusterState> {
    const state = new ClusterState(server);
    state.load();
    const port = server.port;
    const configured = server.config.getInt('cluster-port');
    if (configured === 0 && port > 65535 - PORT_INCR) {
      throw new FatalClusterError(
        'Redis port number too high. Cluster communication port is 10,000 port numbers higher than your Redis port. Your Redis port number must be 55535 or less.',
      );
    }
    const cport = configured !== 0 ? configured : port + PORT_INCR;
    try {
      state.busListener = await listenBus(server.host, cport, (socket) => state.accept(socket));
    } catch {
      throw new FatalClusterError(`Failed listening on port ${cport} (cluster), aborting.`);
    }
    state.updateMyselfAnnounced();
    server.cluster = state;
    server.pubsub.shardIndex = state.shardChannelIndex();
    server.shutdownHooks.push(() => state.stop());
    state.cronTimer = setInterval(() => state.cron(), 100);
    state.cronTimer.unref();
    return state;
  }

  private load(): void {
    const conf = readNodesConf(this.configFile);
    if (conf !== null && 'error' in conf) {
      this.server.log.warning(conf.error);
      throw new FatalClusterError(conf.error);
    }
    if (conf === null) {
      this.myself = new ClusterNode(randomNodeId(), NodeFlag.MYSELF | NodeFlag.MASTER);
      this.nodes.set(this.myself.name, this.myself);
      this.server.log.notice(`No cluster configuration found, I'm ${this.myself.name}`);
      this.saveConfigOrDie(true);
    } else {
      this.applyConf(conf);
      this.server.log.notice(`Node configuration loaded, I'm ${this.myself.name}`);
    }
  }

  /** clusterLoadConfig's effect on the state. */
  private applyConf(conf: NodesConf): void {
    for (const w of conf.warnings) this.server.log.warning(w);
    this.currentEpoch = conf.currentEpoch;
    this.lastVoteEpoch = conf.lastVoteEpoch;
    const get = (name: string) => {
      let n = this.nodes.get(name);
      if (n === undefined) this.nodes.set(name, (n = new ClusterNode(name, 0)));
      return n;
    };
    const now = Date.now();
    for (const c of conf.nodes) {
      const n = get(c.name);
      n.hostname = c.hostname;
      n.ip = c.ip;
      n.port = c.port;
      n.cport = c.cport;
      n.flags |= c.flags;
      if (c.flags & NodeFlag.MYSELF) this.myself = n;
      if (c.flags & NodeFlag.FAIL) n.failTime = now;
      if (c.master !== null) {
        const master = get(c.master);
        n.slaveof = master;
        master.addSlave(n);
      }
      if (c.pingSent) n.pingSent = now;
      if (c.pongReceived) n.pongReceived = now;
      n.configEpoch = n.isSlave && n.slaveof !== null ? 0 : c.configEpoch;
      for (const [start, stop] of c.slots) for (let s = start; s <= stop; s++) this.addSlot(n, s);
      for (const [slot, id] of c.migrating) this.migratingTo[slot] = get(id);
      for (const [slot, id] of c.importing) this.importingFrom[slot] = get(id);
    }
    if (this.maxEpoch() > this.currentEpoch) this.currentEpoch = this.maxEpoch();
  }

  /** clusterUpdateMyselfAnnouncedPorts / Ip / Hostname / Flags. */
  updateMyselfAnnounced(): void {
    const config = this.server.config;
    const me = this.myself;
    me.port = config.getInt('cluster-announce-port') || this.server.port;
    me.pport = 0;
    const busPort = config.getInt('cluster-port') || this.server.port + PORT_INCR;
    me.cport = config.getInt('cluster-announce-bus-port') || busPort;
    // clusterUpdateMyselfIp: an announced ip wins; unset, the ip is found again by MEET.
    const ip = config.get('cluster-announce-ip');
    if (ip !== this.announcedIp) {
      this.announcedIp = ip;
      me.ip = ip.slice(0, 45);
    }
    me.hostname = config.get('cluster-announce-hostname');
    const nofailover = config.getBool('cluster-replica-no-failover') ? NodeFlag.NOFAILOVER : 0;
    if ((me.flags & NodeFlag.NOFAILOVER) !== nofailover) {
      me.flags = (me.flags & ~NodeFlag.NOFAILOVER) | nofailover;
      this.doBeforeSleep(Todo.SAVE_CONFIG | Todo.UPDATE_STATE);
    }
  }

  /** DEBUG DROP-CLUSTER-PACKET-FILTER: messages of this type are dropped (-1: none). */
  dropPacketFilter = -1;
  /** The cluster-announce-ip last applied to myself. */
  private announcedIp = '';

  configChanged(): void {
    this.updateMyselfAnnounced();
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    if (this.cronTimer !== null) clearInterval(this.cronTimer);
    this.cronTimer = null;
    this.busListener?.close();
    for (const n of this.nodes.values()) {
      n.link?.close();
      n.inboundLink?.close();
    }
    for (const l of [...this.anonymousLinks]) l.close();
    if (this.todo & Todo.SAVE_CONFIG) this.saveConfig(true);
  }

  // -- Deferred work (clusterBeforeSleep) -----------------------------------------------------

  doBeforeSleep(flags: number): void {
    this.todo |= flags;
    if (this.todoScheduled || this.stopped) return;
    this.todoScheduled = true;
    setImmediate(() => this.beforeSleep());
  }

  private beforeSleep(): void {
    this.todoScheduled = false;
    if (this.stopped) return;
    const flags = this.todo;
    this.todo = 0;
    if (flags & Todo.HANDLE_MANUALFAILOVER) {
      if (this.myself.isSlave) {
        this.elections.handleManualFailover();
        this.elections.handleSlaveFailover();
      }
    } else if (flags & Todo.HANDLE_FAILOVER) {
      this.elections.handleSlaveFailover();
    }
    if (flags & Todo.UPDATE_STATE) this.updateState();
    if (flags & Todo.SAVE_CONFIG) this.saveConfigOrDie((flags & Todo.FSYNC_CONFIG) !== 0);
  }

  // -- nodes.conf ------------------------------------------------------------------------------

  /** clusterGenNodesDescription: nodes matching `filter` are left out. */
  nodesDescription(filter: number): string {
    const ranges = slotRangesByNode(this.slots);
    let out = '';
    for (const n of this.nodes.values()) {
      if (n.flags & filter) continue;
      out += describeNode(n, ranges.get(n), n === this.myself ? this.openSlotsText() : '') + '\n';
    }
    return out;
  }

  describe(node: ClusterNode): string {
    return describeNode(node, slotRangesByNode(this.slots).get(node), node === this.myself ? this.openSlotsText() : '');
  }

  private openSlotsText(): string {
    let s = '';
    for (let j = 0; j < SLOTS; j++) {
      const to = this.migratingTo[j];
      const from = this.importingFrom[j];
      if (to !== null) s += ` [${j}->-${to.name}]`;
      else if (from !== null) s += ` [${j}-<-${from.name}]`;
    }
    return s;
  }

  /** clusterSaveConfig: false when the file could not be written. */
  saveConfig(fsync: boolean): boolean {
    this.todo &= ~Todo.SAVE_CONFIG;
    if (fsync) this.todo &= ~Todo.FSYNC_CONFIG;
    const text = this.nodesDescription(NodeFlag.HANDSHAKE) + `vars currentEpoch ${this.currentEpoch} lastVoteEpoch ${this.lastVoteEpoch}\n`;
    try {
      writeNodesConf(this.configFile, text, fsync);
      return true;
    } catch (e) {
      this.lastSaveError = (e as Error).message;
      return false;
    }
  }

  lastSaveError = '';

  /** clusterSaveConfigOrDie: Redis exits; we log and stop the server as a fatal error. */
  saveConfigOrDie(fsync: boolean): void {
    if (this.saveConfig(fsync)) return;
    this.server.log.warning(`Fatal: can't update cluster config file. (${this.lastSaveError})`);
    if (this.nodes.size > 0 && this.server.onShutdown !== null) void this.server.shutdown();
  }

  // -- Node table --------------------------------------------------------------------------------

  lookup(name: string): ClusterNode | null {
    if (!validNodeId(name)) return null;
    return this.nodes.get(name) ?? null;
  }

  /** clusterDelNode */
  deleteNode(node: ClusterNode): void {
    for (let j = 0; j < SLOTS; j++) {
      if (this.importingFrom[j] === node) this.importingFrom[j] = null;
      if (this.migratingTo[j] === node) this.migratingTo[j] = null;
      if (this.slots[j] === node) this.delSlot(j);
    }
    for (const n of this.nodes.values()) if (n !== node) this.delFailureReport(n, node);
    // freeClusterNode
    for (const s of node.slaves) s.slaveof = null;
    if (node.isSlave && node.slaveof !== null) node.slaveof.removeSlave(node);
    this.nodes.delete(node.name);
    node.link?.close();
    node.inboundLink?.close();
  }

  /** clusterRenameNode: a handshake node gets its real id. */
  private renameNode(node: ClusterNode, name: string): void {
    this.nodes.delete(node.name);
    node.name = name;
    this.nodes.set(name, node);
  }

  maxEpoch(): number {
    let max = 0;
    for (const n of this.nodes.values()) if (n.configEpoch > max) max = n.configEpoch;
    return Math.max(max, this.currentEpoch);
  }

  /** clusterBumpConfigEpochWithoutConsensus: true when a new epoch was taken. */
  bumpConfigEpochWithoutConsensus(): boolean {
    const max = this.maxEpoch();
    if (this.myself.configEpoch === 0 || this.myself.configEpoch !== max) {
      this.currentEpoch++;
      this.myself.configEpoch = this.currentEpoch;
      this.doBeforeSleep(Todo.SAVE_CONFIG | Todo.FSYNC_CONFIG);
      this.server.log.warning(`New configEpoch set to ${this.myself.configEpoch}`);
      return true;
    }
    return false;
  }

  /** clusterHandleConfigEpochCollision */
  private handleConfigEpochCollision(sender: ClusterNode): void {
    if (sender.configEpoch !== this.myself.configEpoch || !sender.isMaster || !this.myself.isMaster) return;
    // The node with the smaller id moves on.
    if (sender.name <= this.myself.name) return;
    this.currentEpoch++;
    this.myself.configEpoch = this.currentEpoch;
    this.saveConfigOrDie(true);
    this.server.log.verbose(`WARNING: configEpoch collision with node ${sender.name}. configEpoch set to ${this.myself.configEpoch}`);
  }

  /** clusterBlacklistAddNode */
  blacklistAdd(node: ClusterNode): void {
    this.blacklistCleanup();
    this.blacklist.set(node.name, Math.floor(Date.now() / 1000) + BLACKLIST_TTL);
  }

  private blacklistCleanup(): void {
    const now = Math.floor(Date.now() / 1000);
    for (const [id, until] of this.blacklist) if (until < now) this.blacklist.delete(id);
  }

  private blacklisted(name: string): boolean {
    this.blacklistCleanup();
    return this.blacklist.has(name);
  }

  // -- Failure reports ---------------------------------------------------------------------------

  private addFailureReport(failing: ClusterNode, sender: ClusterNode): boolean {
    const now = Date.now();
    for (const r of failing.failReports) {
      if (r.node === sender) {
        r.time = now;
        return false;
      }
    }
    failing.failReports.push({ node: sender, time: now });
    return true;
  }

  private cleanupFailureReports(node: ClusterNode): void {
    const maxtime = this.nodeTimeout * FAIL_REPORT_VALIDITY_MULT;
    const now = Date.now();
    for (let i = node.failReports.length - 1; i >= 0; i--) if (now - node.failReports[i]!.time > maxtime) node.failReports.splice(i, 1);
  }

  private delFailureReport(node: ClusterNode, sender: ClusterNode): boolean {
    const i = node.failReports.findIndex((r) => r.node === sender);
    if (i < 0) return false;
    node.failReports.splice(i, 1);
    this.cleanupFailureReports(node);
    return true;
  }

  failureReportsCount(node: ClusterNode): number {
    this.cleanupFailureReports(node);
    return node.failReports.length;
  }

  get nodeTimeout(): number {
    return this.server.config.getInt('cluster-node-timeout');
  }

  /** markNodeAsFailingIfNeeded */
  private markNodeAsFailingIfNeeded(node: ClusterNode): void {
    const quorum = Math.floor(this.size / 2) + 1;
    if (!node.timedOut || node.failed) return;
    let failures = this.failureReportsCount(node);
    if (this.myself.isMaster) failures++;
    if (failures < quorum) return;
    this.server.log.notice(`Marking node ${node.name} as failing (quorum reached).`);
    node.flags = (node.flags & ~NodeFlag.PFAIL) | NodeFlag.FAIL;
    node.failTime = Date.now();
    this.sendFail(node.name);
    this.doBeforeSleep(Todo.UPDATE_STATE | Todo.SAVE_CONFIG);
  }

  /** clearNodeFailureIfNeeded */
  private clearNodeFailureIfNeeded(node: ClusterNode): void {
    const now = Date.now();
    if (node.isSlave || node.numslots === 0) {
      this.server.log.notice(`Clear FAIL state for node ${node.name}: ${node.isSlave ? 'replica' : 'master without slots'} is reachable again.`);
      node.flags &= ~NodeFlag.FAIL;
      this.doBeforeSleep(Todo.UPDATE_STATE | Todo.SAVE_CONFIG);
    }
    if (node.isMaster && node.numslots > 0 && now - node.failTime > this.nodeTimeout * FAIL_UNDO_TIME_MULT) {
      this.server.log.notice(`Clear FAIL state for node ${node.name}: is reachable again and nobody is serving its slots after some time.`);
      node.flags &= ~NodeFlag.FAIL;
      this.doBeforeSleep(Todo.UPDATE_STATE | Todo.SAVE_CONFIG);
    }
  }

  // -- Slots -------------------------------------------------------------------------------------

  private mastersHaveSlaves(): boolean {
    for (const n of this.nodes.values()) if (!n.isSlave && n.slaves.length > 0) return true;
    return false;
  }

  /** clusterAddSlot: false when the slot already has an owner. */
  addSlot(node: ClusterNode, slot: number): boolean {
    if (this.slots[slot] !== null) return false;
    if (!node.setSlotBit(slot) && node.numslots === 1 && this.mastersHaveSlaves()) node.flags |= NodeFlag.MIGRATE_TO;
    this.slots[slot] = node;
    return true;
  }

  /** clusterDelSlot */
  delSlot(slot: number): boolean {
    const n = this.slots[slot];
    if (n === null || n === undefined) return false;
    // The shard channels of a slot my shard served are gone with it.
    if (n === this.myself || this.myself.slaveof === n) this.removeChannelsInSlot(slot);
    n.clearSlotBit(slot);
    this.slots[slot] = null;
    return true;
  }

  /** clusterDelNodeSlots */
  delNodeSlots(node: ClusterNode): number {
    let deleted = 0;
    for (let j = 0; j < SLOTS; j++) {
      if (node.hasSlot(j)) {
        this.delSlot(j);
        deleted++;
      }
    }
    return deleted;
  }

  closeAllSlots(): void {
    this.migratingTo.fill(null);
    this.importingFrom.fill(null);
  }

  isSlotUnclaimed(slot: number): boolean {
    return this.slots[slot] === null || testBit(this.ownerNotClaimingSlot, slot);
  }

  /** Keys of database 0 in each slot, counted in one pass (slots-to-keys is not indexed). */
  keysBySlot(): Map<number, string[]> {
    const out = new Map<number, string[]>();
    const db = this.server.databases[0]!;
    for (const key of db.data.keys()) {
      if (db.isLogicallyExpired(key)) continue;
      const slot = keyHashSlot(key);
      let list = out.get(slot);
      if (list === undefined) out.set(slot, (list = []));
      list.push(key);
    }
    return out;
  }

  countKeysInSlot(slot: number): number {
    const db = this.server.databases[0]!;
    let n = 0;
    for (const key of db.data.keys()) if (keyHashSlot(key) === slot && !db.isLogicallyExpired(key)) n++;
    return n;
  }

  /** delKeysInSlot */
  private delKeysInSlot(slot: number, keys: readonly string[]): void {
    const db = this.server.databases[0]!;
    const replication = this.server.replication;
    for (const key of keys) {
      if (db.delete(key)) {
        // propagateDeletion: the replicas and the AOF drop it too.
        replication.feed(0, ['DEL', key]);
      }
    }
    void slot;
  }

  // -- Roles ---------------------------------------------------------------------------------------

  /** clusterSetNodeAsMaster */
  setNodeAsMaster(n: ClusterNode): void {
    if (n.isMaster) return;
    if (n.slaveof !== null) {
      n.slaveof.removeSlave(n);
      if (n !== this.myself) n.flags |= NodeFlag.MIGRATE_TO;
    }
    n.flags = (n.flags & ~NodeFlag.SLAVE) | NodeFlag.MASTER;
    n.slaveof = null;
    this.doBeforeSleep(Todo.SAVE_CONFIG | Todo.UPDATE_STATE);
  }

  /** clusterSetMaster: this node becomes a replica of `n` (replicationSetMaster). */
  setMaster(n: ClusterNode): void {
    const me = this.myself;
    if (me.isMaster) {
      me.flags = (me.flags & ~(NodeFlag.MASTER | NodeFlag.MIGRATE_TO)) | NodeFlag.SLAVE;
      this.closeAllSlots();
    } else if (me.slaveof !== null) {
      me.slaveof.removeSlave(me);
    }
    me.slaveof = n;
    n.addSlave(me);
    ReplicationState.of(this.server).setMaster(n.ip, n.port);
    this.elections.resetManualFailover();
  }

  /** replicationGetSlaveOffset, or master_repl_offset on a master. */
  myReplicationOffset(): number {
    const replication = this.server.replication;
    if (!(replication instanceof ReplicationState)) return 0;
    if (!this.myself.isSlave) return replication.offset;
    return this.replicaOffset();
  }

  /** replicationGetSlaveOffset */
  replicaOffset(): number {
    const replication = this.server.replication;
    if (!(replication instanceof ReplicationState)) return 0;
    const link = replication.link;
    if (link !== null && link.state === 'connected') return link.appliedOffset;
    return replication.cachedMaster?.offset ?? 0;
  }

  /** clusterReset */
  reset(hard: boolean): void {
    const me = this.myself;
    if (me.isSlave) {
      this.setNodeAsMaster(me);
      ReplicationState.of(this.server).unsetMaster();
      for (const db of this.server.databases) db.flush();
    }
    this.closeAllSlots();
    this.elections.resetManualFailover();
    for (let j = 0; j < SLOTS; j++) this.delSlot(j);
    for (const n of [...this.nodes.values()]) if (n !== me) this.deleteNode(n);
    if (hard) {
      this.currentEpoch = 0;
      this.lastVoteEpoch = 0;
      me.configEpoch = 0;
      this.server.log.warning('configEpoch set to 0 via CLUSTER RESET HARD');
      this.nodes.delete(me.name);
      me.name = randomNodeId();
      this.nodes.set(me.name, me);
      this.server.log.notice(`Node hard reset, now I'm ${me.name}`);
    }
    this.doBeforeSleep(Todo.SAVE_CONFIG | Todo.UPDATE_STATE | Todo.FSYNC_CONFIG);
  }

  // -- Handshake (clusterStartHandshake) --------------------------------------------------------

  private handshakeInProgress(ip: string, port: number, cport: number): boolean {
    for (const n of this.nodes.values()) if (n.inHandshake && n.ip.toLowerCase() === ip.toLowerCase() && n.port === port && n.cport === cport) return true;
    return false;
  }

  /** 'started', 'in-progress' (EAGAIN) or 'invalid' (EINVAL). */
  startHandshake(ip: string, port: number, cport: number): 'started' | 'in-progress' | 'invalid' {
    const norm = normalizeAddress(ip);
    if (norm === null) return 'invalid';
    if (port <= 0 || port > 65535 || cport <= 0 || cport > 65535) return 'invalid';
    if (this.handshakeInProgress(norm, port, cport)) return 'in-progress';
    const n = new ClusterNode(randomNodeId(), NodeFlag.HANDSHAKE | NodeFlag.MEET);
    n.ip = norm;
    n.port = port;
    n.cport = cport;
    this.nodes.set(n.name, n);
    return 'started';
  }

  // -- Links (LinkHandler) -----------------------------------------------------------------------

  private accept(socket: net.Socket): void {
    if (this.stopped) {
      socket.destroy();
      return;
    }
    socket.setKeepAlive(true, Math.floor(this.nodeTimeout / 1000) * 2 * 1000);
    const link = Link.accepted<ClusterNode>(socket, this);
    this.anonymousLinks.add(link);
    this.server.log.verbose(`Accepting cluster node connection from ${link.remoteAddress}:${socket.remotePort}`);
  }

  onConnected(link: Link<ClusterNode>): void {
    const node = link.node!;
    const oldPingSent = node.pingSent;
    this.sendPing(link, node.flags & NodeFlag.MEET ? MsgType.MEET : MsgType.PING);
    if (oldPingSent !== 0) node.pingSent = oldPingSent;
    node.flags &= ~NodeFlag.MEET;
  }

  onClosed(link: Link<ClusterNode>): void {
    this.anonymousLinks.delete(link);
    const node = link.node;
    if (node === null) return;
    if (node.link === link) node.link = null;
    else if (node.inboundLink === link) node.inboundLink = null;
  }

  onDropped(link: Link<ClusterNode>, error: string, raw: Buffer | null): void {
    if (raw !== null && raw.length >= 14) {
      const type = raw.readUInt16BE(12);
      if (type < MSG_TYPE_COUNT) this.statsReceived[type]!++;
    }
    this.server.log.warning(`Cluster bus: ${error} (from ${link.remoteAddress})`);
  }

  onMessage(link: Link<ClusterNode>, msg: BusMessage): boolean {
    if (msg.type < MSG_TYPE_COUNT) this.statsReceived[msg.type]!++;
    if (this.stopped) return false;
    if (msg.type === this.dropPacketFilter) {
      this.server.log.warning('Dropping packet that matches debug drop filter');
      return true;
    }
    try {
      return this.processPacket(link, msg);
    } catch (e) {
      // A bug in handling one message must not take the node down.
      this.server.log.warning(`Cluster bus: error processing a ${messageTypeName(msg.type)} packet: ${(e as Error).stack ?? e}`);
      return true;
    }
  }

  /** setClusterNodeToInboundClusterLink */
  private setInboundLink(node: ClusterNode, link: Link<ClusterNode>): void {
    if (node.inboundLink !== null && node.inboundLink !== link) node.inboundLink.close();
    this.anonymousLinks.delete(link);
    node.inboundLink = link;
    link.node = node;
  }

  /** getNodeFromLinkAndMsg */
  private senderOf(link: Link<ClusterNode>, msg: BusMessage): ClusterNode | null {
    if (link.node !== null && !link.node.inHandshake) return link.node;
    const sender = this.lookup(msg.sender);
    if (sender !== null && link.node === null) this.setInboundLink(sender, link);
    return sender;
  }

  send(link: Link<ClusterNode> | null, msg: BusMessage): void {
    if (link === null) return;
    link.send(encodeMessage(msg));
    if (msg.type < MSG_TYPE_COUNT) this.statsSent[msg.type]!++;
  }

  /** clusterBroadcastMessage */
  broadcast(msg: BusMessage): void {
    const frame = encodeMessage(msg);
    for (const n of this.nodes.values()) {
      if (n.flags & (NodeFlag.MYSELF | NodeFlag.HANDSHAKE) || n.link === null) continue;
      n.link.send(frame);
      if (msg.type < MSG_TYPE_COUNT) this.statsSent[msg.type]!++;
    }
  }

  // -- Messages out -------------------------------------------------------------------------------

  /** clusterBuildMessageHdr */
  buildHeader(type: number): BusMessage {
    const me = this.myself;
    const master = me.isSlave && me.slaveof !== null ? me.slaveof : me;
    const paused = me.isMaster && this.elections.mfEnd !== 0 ? MsgFlag0.PAUSED : 0;
    return {
      type,
      port: me.port,
      currentEpoch: this.currentEpoch,
      configEpoch: master.configEpoch,
      offset: this.myReplicationOffset(),
      sender: me.name,
      myslots: master.slots,
      slaveof: me.slaveof?.name ?? null,
      myip: this.server.config.get('cluster-announce-ip'),
      pport: me.pport,
      cport: me.cport,
      flags: me.flags,
      state: this.state,
      mflags: [paused, 0, 0],
    };
  }

  private gossipEntry(n: ClusterNode): GossipEntry {
    return {
      nodename: n.name,
      pingSent: Math.floor(n.pingSent / 1000),
      pongReceived: Math.floor(n.pongReceived / 1000),
      ip: n.ip,
      port: n.port,
      cport: n.cport,
      flags: n.flags,
      pport: n.pport,
    };
  }

  /** clusterSendPing: PING, PONG or MEET with gossip about some other nodes. */
  sendPing(link: Link<ClusterNode>, type: number): void {
    this.pingsSent++;
    let freshnodes = this.nodes.size - 2;
    let wanted = Math.floor(this.nodes.size / 10);
    if (wanted < 3) wanted = 3;
    if (wanted > freshnodes) wanted = freshnodes;
    if (!link.inbound && type === MsgType.PING) link.node!.pingSent = Date.now();
    const msg = this.buildHeader(type);
    const gossip: GossipEntry[] = [];
    const all = [...this.nodes.values()];
    let maxiterations = wanted * 3;
    while (freshnodes > 0 && gossip.length < wanted && maxiterations-- > 0) {
      const n = all[Math.floor(Math.random() * all.length)]!;
      if (n === this.myself) continue;
      if (n.flags & NodeFlag.PFAIL) continue;
      if (n.flags & (NodeFlag.HANDSHAKE | NodeFlag.NOADDR) || (n.link === null && n.numslots === 0)) {
        freshnodes--;
        continue;
      }
      if (n.lastInPingGossip === this.pingsSent) continue;
      gossip.push(this.gossipEntry(n));
      n.lastInPingGossip = this.pingsSent;
      freshnodes--;
    }
    // Every PFAIL node, so that failure reports spread fast.
    let pfailWanted = this.statsPfailNodes;
    for (const n of all) {
      if (pfailWanted <= 0) break;
      if (n.flags & (NodeFlag.HANDSHAKE | NodeFlag.NOADDR) || !(n.flags & NodeFlag.PFAIL)) continue;
      gossip.push(this.gossipEntry(n));
      pfailWanted--;
    }
    const extensions: PingExtension[] = this.myself.hostname !== '' ? [{ type: EXT_TYPE_HOSTNAME, hostname: this.myself.hostname }] : [];
    msg.ping = { gossip, extensions };
    this.send(link, msg);
  }

  /** clusterBroadcastPong */
  broadcastPong(target: number): void {
    for (const n of this.nodes.values()) {
      if (n.link === null || n === this.myself || n.inHandshake) continue;
      if (target === BROADCAST_LOCAL_SLAVES) {
        const local = n.isSlave && n.slaveof !== null && (n.slaveof === this.myself || n.slaveof === this.myself.slaveof);
        if (!local) continue;
      }
      this.sendPing(n.link, MsgType.PONG);
    }
  }

  /** clusterSendFail */
  private sendFail(name: string): void {
    const msg = this.buildHeader(MsgType.FAIL);
    msg.failing = name;
    this.broadcast(msg);
  }

  /** clusterSendUpdate */
  private sendUpdate(link: Link<ClusterNode> | null, node: ClusterNode): void {
    if (link === null) return;
    const msg = this.buildHeader(MsgType.UPDATE);
    const slots = new Uint8Array(node.slots);
    for (let i = 0; i < slots.length; i++) slots[i]! &= ~this.ownerNotClaimingSlot[i]!;
    msg.update = { configEpoch: node.configEpoch, nodename: node.name, slots };
    this.send(link, msg);
  }

  /** clusterPropagatePublish: PUBLISH goes to the whole cluster, SPUBLISH to our shard. */
  propagatePublish(channel: string, message: string, sharded: boolean): void {
    const type = sharded ? MsgType.PUBLISHSHARD : MsgType.PUBLISH;
    const msg = this.buildHeader(type);
    msg.publish = { channel: Buffer.from(channel, 'latin1'), message: Buffer.from(message, 'latin1') };
    if (!sharded) return this.broadcast(msg);
    const master = this.myself.isMaster ? this.myself : this.myself.slaveof;
    if (master === null) return;
    for (const n of [master, ...master.slaves]) {
      if (n.flags & (NodeFlag.MYSELF | NodeFlag.HANDSHAKE)) continue;
      this.send(n.link, msg);
    }
  }

  // -- Messages in (clusterProcessPacket) ----------------------------------------------------------

  /** Returns false when the link was freed. */
  private processPacket(link: Link<ClusterNode>, hdr: BusMessage): boolean {
    const type = hdr.type;
    const now = Date.now();
    const flags = hdr.flags;
    let senderCurrentEpoch = 0;
    let senderConfigEpoch = 0;
    const sender = this.senderOf(link, hdr);
    if (sender !== null) sender.dataReceived = now;

    if (sender !== null && !sender.inHandshake) {
      senderCurrentEpoch = hdr.currentEpoch;
      senderConfigEpoch = hdr.configEpoch;
      if (senderCurrentEpoch > this.currentEpoch) this.currentEpoch = senderCurrentEpoch;
      if (senderConfigEpoch > sender.configEpoch) {
        sender.configEpoch = senderConfigEpoch;
        this.doBeforeSleep(Todo.SAVE_CONFIG | Todo.FSYNC_CONFIG);
      }
      sender.replOffset = hdr.offset;
      sender.replOffsetTime = now;
      this.elections.senderOffsetSeen(sender, hdr);
    }

    if (type === MsgType.PING || type === MsgType.MEET) {
      // A MEET teaches us our own address (as the peer reached us).
      if ((type === MsgType.MEET || this.myself.ip === '') && this.server.config.get('cluster-announce-ip') === '') {
        const ip = link.localAddress;
        if (ip !== '' && ip !== this.myself.ip) {
          this.myself.ip = ip;
          this.server.log.warning(`IP address for this node updated to ${ip}`);
          this.doBeforeSleep(Todo.SAVE_CONFIG);
        }
      }
      if (sender === null && type === MsgType.MEET) {
        const node = new ClusterNode(randomNodeId(), NodeFlag.HANDSHAKE);
        node.ip = hdr.myip !== '' ? hdr.myip : link.remoteAddress;
        node.port = hdr.port;
        node.pport = hdr.pport;
        node.cport = hdr.cport;
        this.nodes.set(node.name, node);
        this.doBeforeSleep(Todo.SAVE_CONFIG);
        // Trusted because of the message type.
        this.processGossipSection(hdr, link);
      }
      this.sendPing(link, MsgType.PONG);
    }

    if (type === MsgType.PING || type === MsgType.PONG || type === MsgType.MEET) {
      if (!link.inbound) {
        const node = link.node!;
        if (node.inHandshake) {
          if (sender !== null) {
            // We already know this node: update its address and drop the handshake node.
            if (this.updateAddressIfNeeded(sender, link, hdr)) this.doBeforeSleep(Todo.SAVE_CONFIG | Todo.UPDATE_STATE);
            this.deleteNode(node);
            return false;
          }
          this.renameNode(node, hdr.sender);
          node.flags &= ~NodeFlag.HANDSHAKE;
          node.flags |= flags & (NodeFlag.MASTER | NodeFlag.SLAVE);
          this.doBeforeSleep(Todo.SAVE_CONFIG);
        } else if (node.name !== hdr.sender) {
          // Another node answers at this address now.
          node.flags |= NodeFlag.NOADDR;
          node.ip = '';
          node.port = 0;
          node.pport = 0;
          node.cport = 0;
          link.close();
          this.doBeforeSleep(Todo.SAVE_CONFIG);
          return false;
        }
      }

      if (sender !== null) {
        sender.flags = (sender.flags & ~NodeFlag.NOFAILOVER) | (flags & NodeFlag.NOFAILOVER);
      }

      if (sender !== null && type === MsgType.PING && !sender.inHandshake && this.updateAddressIfNeeded(sender, link, hdr)) {
        this.doBeforeSleep(Todo.SAVE_CONFIG | Todo.UPDATE_STATE);
      }

      if (!link.inbound && type === MsgType.PONG) {
        const node = link.node!;
        node.pongReceived = now;
        node.pingSent = 0;
        if (node.timedOut) {
          node.flags &= ~NodeFlag.PFAIL;
          this.doBeforeSleep(Todo.SAVE_CONFIG | Todo.UPDATE_STATE);
        } else if (node.failed) {
          this.clearNodeFailureIfNeeded(node);
        }
      }

      // Role switches.
      if (sender !== null) {
        if (hdr.slaveof === null) {
          this.setNodeAsMaster(sender);
        } else {
          const master = this.lookup(hdr.slaveof);
          if (sender.isMaster) {
            this.delNodeSlots(sender);
            sender.flags = (sender.flags & ~(NodeFlag.MASTER | NodeFlag.MIGRATE_TO)) | NodeFlag.SLAVE;
            this.doBeforeSleep(Todo.SAVE_CONFIG | Todo.UPDATE_STATE);
          }
          if (master !== null && sender.slaveof !== master) {
            if (sender.slaveof !== null) sender.slaveof.removeSlave(sender);
            master.addSlave(sender);
            sender.slaveof = master;
            this.doBeforeSleep(Todo.SAVE_CONFIG);
          }
        }
      }

      // Slots: the sender's (or its master's) claimed slots against our view.
      let senderMaster: ClusterNode | null = null;
      let dirtySlots = false;
      if (sender !== null) {
        senderMaster = sender.isMaster ? sender : sender.slaveof;
        if (senderMaster !== null) dirtySlots = !bytesEqual(senderMaster.slots, hdr.myslots);
      }
      if (sender !== null && sender.isMaster && dirtySlots) this.updateSlotsConfigWith(sender, senderConfigEpoch, hdr.myslots);

      // The sender claims slots we know a newer owner of: tell it (UPDATE).
      if (sender !== null && dirtySlots) {
        for (let j = 0; j < SLOTS; j++) {
          if (!testBit(hdr.myslots, j)) continue;
          const owner = this.slots[j]!;
          if (owner === sender || this.isSlotUnclaimed(j)) continue;
          if (owner.configEpoch > senderConfigEpoch) {
            this.server.log.verbose(`Node ${sender.name} has old slots configuration, sending an UPDATE message about ${owner.name}`);
            this.sendUpdate(sender.link, owner);
            break;
          }
        }
      }

      if (sender !== null && this.myself.isMaster && sender.isMaster && senderConfigEpoch === this.myself.configEpoch) {
        this.handleConfigEpochCollision(sender);
      }

      if (sender !== null) {
        this.processGossipSection(hdr, link);
        this.processPingExtensions(hdr, sender);
      }
    } else if (type === MsgType.FAIL) {
      if (sender !== null) {
        const failing = this.lookup(hdr.failing!);
        if (failing !== null && !(failing.flags & (NodeFlag.FAIL | NodeFlag.MYSELF))) {
          this.server.log.notice(`FAIL message received from ${hdr.sender} about ${hdr.failing}`);
          failing.flags = (failing.flags | NodeFlag.FAIL) & ~NodeFlag.PFAIL;
          failing.failTime = now;
          this.doBeforeSleep(Todo.SAVE_CONFIG | Todo.UPDATE_STATE);
        }
      } else {
        this.server.log.notice(`Ignoring FAIL message from unknown node ${hdr.sender} about ${hdr.failing}`);
      }
    } else if (type === MsgType.PUBLISH || type === MsgType.PUBLISHSHARD) {
      if (sender === null) return true;
      const { channel, message } = hdr.publish!;
      this.deliverPublish(channel.toString('latin1'), message.toString('latin1'), type === MsgType.PUBLISHSHARD);
    } else if (type === MsgType.FAILOVER_AUTH_REQUEST) {
      if (sender === null) return true;
      this.elections.sendFailoverAuthIfNeeded(sender, hdr);
    } else if (type === MsgType.FAILOVER_AUTH_ACK) {
      if (sender === null) return true;
      this.elections.authAckReceived(sender, senderCurrentEpoch);
    } else if (type === MsgType.MFSTART) {
      if (sender === null || sender.slaveof !== this.myself) return true;
      this.elections.manualFailoverRequested(sender, link);
    } else if (type === MsgType.UPDATE) {
      if (sender === null) return true;
      const upd = hdr.update!;
      const n = this.lookup(upd.nodename);
      if (n === null) return true;
      if (n.configEpoch >= upd.configEpoch) return true;
      if (n.isSlave) this.setNodeAsMaster(n);
      n.configEpoch = upd.configEpoch;
      this.doBeforeSleep(Todo.SAVE_CONFIG | Todo.FSYNC_CONFIG);
      this.updateSlotsConfigWith(n, upd.configEpoch, upd.slots);
    } else if (type === MsgType.MODULE) {
      // No modules: nobody receives module messages.
    } else {
      this.server.log.warning(`Received unknown packet type: ${type}`);
    }
    return true;
  }

  /** Local delivery of a PUBLISH / PUBLISHSHARD that came over the bus (pubsubPublishMessage). */
  private deliverPublish(channel: string, message: string, sharded: boolean): void {
    if (sharded) this.server.pubsub.spublish(channel, message);
    else this.server.pubsub.publish(channel, message);
  }

  // -- Shard channels by slot (slots_to_channels) -------------------------------------------------

  /** slotToChannelAdd / slotToChannelDel, as the pub/sub table reports them. */
  shardChannelIndex(): ShardChannelIndex {
    const bySlot = this.channelsBySlot;
    return {
      added(channel) {
        const slot = keyHashSlot(channel);
        let set = bySlot.get(slot);
        if (!set) bySlot.set(slot, (set = new Set()));
        set.add(channel);
      },
      removed(channel) {
        const slot = keyHashSlot(channel);
        const set = bySlot.get(slot);
        if (!set) return;
        set.delete(channel);
        if (set.size === 0) bySlot.delete(slot);
      },
    };
  }

  /** countChannelsInSlot */
  countChannelsInSlot(slot: number): number {
    return this.channelsBySlot.get(slot)?.size ?? 0;
  }

  /** removeChannelsInSlot: the subscribers get a `sunsubscribe` each. */
  private removeChannelsInSlot(slot: number): void {
    const set = this.channelsBySlot.get(slot);
    if (!set) return;
    for (const channel of [...set]) this.server.pubsub.dropShardChannel(channel);
  }

  /** nodeUpdateAddressIfNeeded: true when the address changed. */
  private updateAddressIfNeeded(node: ClusterNode, link: Link<ClusterNode>, hdr: BusMessage): boolean {
    if (link === node.link) return false;
    const ip = hdr.myip !== '' ? hdr.myip : link.remoteAddress;
    if (ip === '') return false;
    if (node.port === hdr.port && node.cport === hdr.cport && node.pport === hdr.pport && node.ip === ip) return false;
    node.ip = ip;
    node.port = hdr.port;
    node.pport = hdr.pport;
    node.cport = hdr.cport;
    node.link?.close();
    node.flags &= ~NodeFlag.NOADDR;
    this.server.log.warning(`Address updated for node ${node.name}, now ${node.ip}:${node.port}`);
    if (this.myself.isSlave && this.myself.slaveof === node) ReplicationState.of(this.server).setMaster(node.ip, node.port);
    return true;
  }

  /** clusterProcessGossipSection */
  private processGossipSection(hdr: BusMessage, link: Link<ClusterNode>): void {
    const sender = link.node ?? this.lookup(hdr.sender);
    const now = Date.now();
    for (const g of hdr.ping?.gossip ?? []) {
      const flags = g.flags;
      const node = this.lookup(g.nodename);
      if (node !== null) {
        if (sender !== null && sender.isMaster && node !== this.myself) {
          if (flags & (NodeFlag.FAIL | NodeFlag.PFAIL)) {
            if (this.addFailureReport(node, sender)) this.server.log.verbose(`Node ${sender.name} reported node ${node.name} as not reachable.`);
            this.markNodeAsFailingIfNeeded(node);
          } else if (this.delFailureReport(node, sender)) {
            this.server.log.verbose(`Node ${sender.name} reported node ${node.name} is back online.`);
          }
        }
        if (!(flags & (NodeFlag.FAIL | NodeFlag.PFAIL)) && node.pingSent === 0 && this.failureReportsCount(node) === 0) {
          const pongtime = g.pongReceived * 1000;
          if (pongtime <= now + 500 && pongtime > node.pongReceived) node.pongReceived = pongtime;
        }
        if (
          node.flags & (NodeFlag.FAIL | NodeFlag.PFAIL) &&
          !(flags & NodeFlag.NOADDR) &&
          !(flags & (NodeFlag.FAIL | NodeFlag.PFAIL)) &&
          (node.ip.toLowerCase() !== g.ip.toLowerCase() || node.port !== g.port || node.cport !== g.cport)
        ) {
          node.link?.close();
          node.ip = g.ip;
          node.port = g.port;
          node.pport = g.pport;
          node.cport = g.cport;
          node.flags &= ~NodeFlag.NOADDR;
        }
      } else if (sender !== null && !(flags & NodeFlag.NOADDR) && !this.blacklisted(g.nodename) && validNodeId(g.nodename)) {
        const n = new ClusterNode(g.nodename, flags);
        n.ip = g.ip;
        n.port = g.port;
        n.pport = g.pport;
        n.cport = g.cport;
        this.nodes.set(n.name, n);
      }
    }
  }

  /** clusterProcessPingExtensions */
  private processPingExtensions(hdr: BusMessage, sender: ClusterNode): void {
    let hostname: string | null = null;
    for (const ext of hdr.ping?.extensions ?? []) {
      if ('hostname' in ext) hostname = ext.hostname;
      else this.server.log.warning(`Received unknown extension type ${ext.type}`);
    }
    sender.hostname = hostname ?? '';
  }

  /** clusterUpdateSlotsConfigWith */
  private updateSlotsConfigWith(sender: ClusterNode, senderConfigEpoch: number, slots: Uint8Array): void {
    const me = this.myself;
    const curmaster = me.isMaster ? me : me.slaveof;
    let newmaster: ClusterNode | null = null;
    const dirty: number[] = [];
    let senderSlots = 0;
    let migratedOurSlots = 0;
    if (sender === me) {
      this.server.log.warning('Discarding UPDATE message about myself.');
      return;
    }
    let keysBySlot: Map<number, string[]> | null = null;
    for (let j = 0; j < SLOTS; j++) {
      if (testBit(slots, j)) {
        senderSlots++;
        if (this.slots[j] === sender) {
          clearBit(this.ownerNotClaimingSlot, j);
          continue;
        }
        if (this.importingFrom[j] !== null) continue;
        if (this.isSlotUnclaimed(j) || this.slots[j]!.configEpoch < senderConfigEpoch) {
          if (this.slots[j] === me && sender !== me) {
            keysBySlot ??= this.keysBySlot();
            if (keysBySlot.has(j)) dirty.push(j);
          }
          if (this.slots[j] === curmaster && curmaster !== null) {
            newmaster = sender;
            migratedOurSlots++;
          }
          this.delSlot(j);
          this.addSlot(sender, j);
          clearBit(this.ownerNotClaimingSlot, j);
          this.doBeforeSleep(Todo.SAVE_CONFIG | Todo.UPDATE_STATE | Todo.FSYNC_CONFIG);
        }
      } else if (this.slots[j] === sender) {
        setBit(this.ownerNotClaimingSlot, j);
      }
    }
    const allowMigration = this.server.config.getBool('cluster-allow-replica-migration');
    if (newmaster !== null && curmaster !== null && curmaster.numslots === 0 && (allowMigration || senderSlots === migratedOurSlots)) {
      this.server.log.warning(`Configuration change detected. Reconfiguring myself as a replica of ${sender.name}`);
      this.setMaster(sender);
      this.doBeforeSleep(Todo.SAVE_CONFIG | Todo.UPDATE_STATE | Todo.FSYNC_CONFIG);
    } else if (me.slaveof !== null && me.slaveof.slaveof !== null && me.slaveof.slaveof !== me) {
      this.server.log.warning(`I'm a sub-replica! Reconfiguring myself as a replica of grandmaster ${me.slaveof.slaveof.name}`);
      this.setMaster(me.slaveof.slaveof);
      this.doBeforeSleep(Todo.SAVE_CONFIG | Todo.UPDATE_STATE | Todo.FSYNC_CONFIG);
    } else if (dirty.length > 0) {
      for (const j of dirty) this.delKeysInSlot(j, keysBySlot!.get(j) ?? []);
    }
  }

  // -- Cron (clusterCron, 10 times a second) -------------------------------------------------------

  private cron(): void {
    if (this.stopped) return;
    this.cronIteration++;
    const now = Date.now();
    const timeout = this.nodeTimeout;
    this.updateMyselfAnnounced();
    const handshakeTimeout = Math.max(timeout, 1000);
    this.statsPfailNodes = 0;
    for (const node of [...this.nodes.values()]) {
      if (node.flags & (NodeFlag.MYSELF | NodeFlag.NOADDR)) continue;
      if (node.flags & NodeFlag.PFAIL) this.statsPfailNodes++;
      if (node.inHandshake && now - node.ctime > handshakeTimeout) {
        this.deleteNode(node);
        continue;
      }
      if (node.link === null) {
        node.link = Link.connect(node, node.ip, node.cport, this, timeout);
        if (node.pingSent === 0) node.pingSent = Date.now();
      }
    }

    // Once a second, ping one of five random nodes: the one with the oldest PONG.
    if (this.cronIteration % 10 === 0) {
      const all = [...this.nodes.values()];
      let minPongNode: ClusterNode | null = null;
      for (let j = 0; j < 5; j++) {
        const n = all[Math.floor(Math.random() * all.length)]!;
        if (n.link === null || n.pingSent !== 0) continue;
        if (n.flags & (NodeFlag.MYSELF | NodeFlag.HANDSHAKE)) continue;
        if (minPongNode === null || minPongNode.pongReceived > n.pongReceived) minPongNode = n;
      }
      if (minPongNode !== null) this.sendPing(minPongNode.link!, MsgType.PING);
    }

    let orphanedMasters = 0;
    let maxSlaves = 0;
    let thisSlaves = 0;
    let updateState = false;
    const me = this.myself;
    for (const node of [...this.nodes.values()]) {
      const t = Date.now();
      if (node.flags & (NodeFlag.MYSELF | NodeFlag.NOADDR | NodeFlag.HANDSHAKE)) continue;
      if (me.isSlave && node.isMaster && !node.failed) {
        const okslaves = node.nonFailingSlaves();
        if (okslaves === 0 && node.numslots > 0 && node.flags & NodeFlag.MIGRATE_TO) orphanedMasters++;
        if (okslaves > maxSlaves) maxSlaves = okslaves;
        if (me.slaveof === node) thisSlaves = okslaves;
      }
      const pingDelay = t - node.pingSent;
      const dataDelay = t - node.dataReceived;
      if (node.link !== null && t - node.link.ctime > timeout && node.pingSent !== 0 && pingDelay > timeout / 2 && dataDelay > timeout / 2) {
        node.link.close();
      }
      if (node.link !== null && node.pingSent === 0 && t - node.pongReceived > timeout / 2) {
        this.sendPing(node.link, MsgType.PING);
        continue;
      }
      if (this.elections.mfEnd !== 0 && me.isMaster && this.elections.mfSlave === node && node.link !== null) {
        this.sendPing(node.link, MsgType.PING);
        continue;
      }
      if (node.pingSent === 0) continue;
      const nodeDelay = Math.min(pingDelay, dataDelay);
      if (nodeDelay > timeout && !(node.flags & (NodeFlag.PFAIL | NodeFlag.FAIL))) {
        this.server.log.verbose(`*** NODE ${node.name} possibly failing`);
        node.flags |= NodeFlag.PFAIL;
        updateState = true;
      }
    }

    // A replica whose replication is off starts it once its master's address is known.
    if (me.isSlave && this.server.replication.master === null && me.slaveof !== null && me.slaveof.hasAddr) {
      ReplicationState.of(this.server).setMaster(me.slaveof.ip, me.slaveof.port);
    }

    this.elections.manualFailoverCheckTimeout();
    if (me.isSlave) {
      this.elections.handleManualFailover();
      this.elections.handleSlaveFailover();
      if (orphanedMasters > 0 && maxSlaves >= 2 && thisSlaves === maxSlaves && this.server.config.getBool('cluster-allow-replica-migration')) {
        this.elections.handleSlaveMigration(maxSlaves);
      }
    }
    if (updateState || this.state === CLUSTER_FAIL) this.updateState();
  }

  /** clusterUpdateState */
  updateState(): void {
    this.todo &= ~Todo.UPDATE_STATE;
    const now = Date.now();
    if (this.firstUpdateStateCall === 0) this.firstUpdateStateCall = now;
    if (this.myself.isMaster && this.state === CLUSTER_FAIL && now - this.firstUpdateStateCall < WRITABLE_DELAY) return;
    let newState = CLUSTER_OK;
    if (this.server.config.getBool('cluster-require-full-coverage')) {
      for (let j = 0; j < SLOTS; j++) {
        const n = this.slots[j];
        if (n === null || n!.flags & NodeFlag.FAIL) {
          newState = CLUSTER_FAIL;
          break;
        }
      }
    }
    let reachable = 0;
    this.size = 0;
    for (const n of this.nodes.values()) {
      if (n.isMaster && n.numslots > 0) {
        this.size++;
        if ((n.flags & (NodeFlag.FAIL | NodeFlag.PFAIL)) === 0) reachable++;
      }
    }
    const quorum = Math.floor(this.size / 2) + 1;
    if (reachable < quorum) {
      newState = CLUSTER_FAIL;
      this.amongMinorityTime = now;
    }
    if (newState !== this.state) {
      const rejoinDelay = Math.min(MAX_REJOIN_DELAY, Math.max(MIN_REJOIN_DELAY, this.nodeTimeout));
      if (newState === CLUSTER_OK && this.myself.isMaster && now - this.amongMinorityTime < rejoinDelay) return;
      this.server.log.warning(`Cluster state changed: ${newState === CLUSTER_OK ? 'ok' : 'fail'}`);
      this.state = newState;
    }
  }

  // -- ClusterRole (dispatch) ----------------------------------------------------------------------

  route(client: Client, entry: CommandEntry, args: string[], flags: number): ErrorReply | null {
    return routeCommand(this, client, entry, args, flags);
  }

  scriptKeyAccess(caller: Client, command: { readonly spec: CommandSpec }, argv: string[]): ScriptKeyAccess {
    return scriptKeyAccess(this, caller, command, argv);
  }

  /** Keys of database 0 only, in cluster mode. */
  keyExists(key: string): boolean {
    const db = this.server.databases[0]!;
    return db.data.has(key) && !db.isLogicallyExpired(key);
  }

  get allowReadsWhenDown(): boolean {
    return this.server.config.getBool('cluster-allow-reads-when-down');
  }

  get allowPubsubshardWhenDown(): boolean {
    return this.server.config.getBool('cluster-allow-pubsubshard-when-down');
  }

  /** getPreferredEndpoint */
  preferredEndpoint(n: ClusterNode): string | null {
    switch (this.server.config.get('cluster-preferred-endpoint-type')) {
      case 'hostname':
        return n.hostname !== '' ? n.hostname : '?';
      case 'unknown-endpoint':
        return '';
      default:
        return n.ip;
    }
  }
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** inet_pton + inet_ntop: the normalized text of an IPv4 or IPv6 address, or null. */
export function normalizeAddress(ip: string): string | null {
  if (/^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.test(ip)) {
    const parts = ip.split('.').map(Number);
    if (parts.some((p) => p > 255)) return null;
    return parts.join('.');
  }
  const url = (() => {
    try {
      return new URL(`http://[${ip}]/`);
    } catch {
      return null;
    }
  })();
  if (url === null || !ip.includes(':')) return null;
  return url.hostname.slice(1, -1);
}
