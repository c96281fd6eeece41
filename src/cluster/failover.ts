/**
 * Replica elections and manual failover (cluster.c's "SLAVE node specific functions"):
 *
 * - A master votes (FAILOVER_AUTH_ACK) for a replica of a failed master, once per epoch
 *   and once per master in two node timeouts (clusterSendFailoverAuthIfNeeded).
 * - A replica of a FAIL master waits 500 ms + random(500) + rank * 1000 (rank: replicas
 *   with a better offset), takes currentEpoch + 1, asks every node (AUTH_REQUEST) and,
 *   with a majority of slot-serving masters, takes its master's slots
 *   (clusterHandleSlaveFailover, clusterFailoverReplaceYourMaster).
 * - CLUSTER FAILOVER: the replica sends MFSTART, its master pauses writes and reports its
 *   offset in PINGs (the PAUSED flag); once the replica has that offset it runs an
 *   election with FORCEACK (clusterHandleManualFailover). FORCE skips the master,
 *   TAKEOVER skips the vote too.
 *
 * The state (ClusterState) owns the nodes; this class reaches them through its view.
 */
import type { BusMessage } from './bus-message.js';
import { MsgFlag0, MsgType, SLOTS } from './bus-message.js';
import type { Link } from './bus.js';
import { NodeFlag, testBit, type ClusterNode } from './node.js';
import type { Server } from '../server/server.js';
import { ReplicationState } from '../replication/state.js';

const MF_TIMEOUT = 5000;
const MF_PAUSE_MULT = 2;
const SLAVE_MIGRATION_DELAY = 5000;
const CANT_FAILOVER_RELOG_PERIOD = 300;

export const CantFailover = { NONE: 0, DATA_AGE: 1, WAITING_DELAY: 2, EXPIRED: 3, WAITING_VOTES: 4 } as const;

/** What elections need of the cluster state. */
export interface ElectionHost {
  readonly server: Server;
  readonly myself: ClusterNode;
  readonly nodes: Map<string, ClusterNode>;
  readonly slots: (ClusterNode | null)[];
  currentEpoch: number;
  lastVoteEpoch: number;
  readonly size: number;
  readonly state: number;
  readonly nodeTimeout: number;
  isSlotUnclaimed(slot: number): boolean;
  buildHeader(type: number): BusMessage;
  send(link: Link<ClusterNode> | null, msg: BusMessage): void;
  broadcast(msg: BusMessage): void;
  sendPing(link: Link<ClusterNode>, type: number): void;
  broadcastPong(target: number): void;
  doBeforeSleep(flags: number): void;
  setNodeAsMaster(n: ClusterNode): void;
  setMaster(n: ClusterNode): void;
  delSlot(slot: number): boolean;
  addSlot(n: ClusterNode, slot: number): boolean;
  updateState(): void;
  saveConfigOrDie(fsync: boolean): void;
  replicaOffset(): number;
  bumpConfigEpochWithoutConsensus(): boolean;
}

const TODO_HANDLE_FAILOVER = 1;
const TODO_UPDATE_STATE = 2;
const TODO_SAVE_CONFIG = 4;
const TODO_FSYNC_CONFIG = 8;
const TODO_HANDLE_MANUALFAILOVER = 16;

export class Elections {
  authTime = 0;
  authCount = 0;
  authSent = false;
  authRank = 0;
  authEpoch = 0;
  cantFailoverReason: number = CantFailover.NONE;
  private lastCantLog = 0;
  /** Manual failover: when it times out (0: none in progress). */
  mfEnd = 0;
  /** On a master: the replica failing over. */
  mfSlave: ClusterNode | null = null;
  /** On a replica: the master's offset once paused (-1: not known yet). */
  mfMasterOffset = -1;
  mfCanStart = false;

  constructor(private readonly host: ElectionHost) {}

  private get log() {
    return this.host.server.log;
  }

  // -- Voting (masters) ---------------------------------------------------------------------------

  /** clusterSendFailoverAuthIfNeeded */
  sendFailoverAuthIfNeeded(node: ClusterNode, request: BusMessage): void {
    const h = this.host;
    const me = h.myself;
    const master = node.slaveof;
    const forceAck = (request.mflags[0] & MsgFlag0.FORCEACK) !== 0;
    if (me.isSlave || me.numslots === 0) return;
    if (request.currentEpoch < h.currentEpoch) {
      this.log.warning(`Failover auth denied to ${node.name}: reqEpoch (${request.currentEpoch}) < curEpoch(${h.currentEpoch})`);
      return;
    }
    if (h.lastVoteEpoch === h.currentEpoch) {
      this.log.warning(`Failover auth denied to ${node.name}: already voted for epoch ${h.currentEpoch}`);
      return;
    }
    if (node.isMaster || master === null || (!master.failed && !forceAck)) {
      if (node.isMaster) this.log.warning(`Failover auth denied to ${node.name}: it is a master node`);
      else if (master === null) this.log.warning(`Failover auth denied to ${node.name}: I don't know its master`);
      else this.log.warning(`Failover auth denied to ${node.name}: its master is up`);
      return;
    }
    const now = Date.now();
    if (now - master.votedTime < h.nodeTimeout * 2) {
      this.log.warning(
        `Failover auth denied to ${node.name}: can't vote about this master before ${h.nodeTimeout * 2 - (now - master.votedTime)} milliseconds`,
      );
      return;
    }
    for (let j = 0; j < SLOTS; j++) {
      if (!testBit(request.myslots, j)) continue;
      if (h.isSlotUnclaimed(j) || h.slots[j]!.configEpoch <= request.configEpoch) continue;
      this.log.warning(`Failover auth denied to ${node.name}: slot ${j} epoch (${h.slots[j]!.configEpoch}) > reqEpoch (${request.configEpoch})`);
      return;
    }
    h.lastVoteEpoch = h.currentEpoch;
    master.votedTime = now;
    h.doBeforeSleep(TODO_SAVE_CONFIG | TODO_FSYNC_CONFIG);
    h.send(node.link, h.buildHeader(MsgType.FAILOVER_AUTH_ACK));
    this.log.warning(`Failover auth granted to ${node.name} for epoch ${h.currentEpoch}`);
  }

  /** A FAILOVER_AUTH_ACK: counted from slot-serving masters of this election's epoch. */
  authAckReceived(sender: ClusterNode, senderCurrentEpoch: number): void {
    if (sender.isMaster && sender.numslots > 0 && senderCurrentEpoch >= this.authEpoch) {
      this.authCount++;
      this.host.doBeforeSleep(TODO_HANDLE_FAILOVER);
    }
  }

  // -- Manual failover -----------------------------------------------------------------------------

  /** MFSTART from one of our replicas: pause writes and ping it with our offset. */
  manualFailoverRequested(sender: ClusterNode, link: Link<ClusterNode>): void {
    this.resetManualFailover();
    const now = Date.now();
    this.mfEnd = now + MF_TIMEOUT;
    this.mfSlave = sender;
    this.host.server.pause = { until: now + MF_TIMEOUT * MF_PAUSE_MULT, writesOnly: true };
    this.log.warning(`Manual failover requested by replica ${sender.name}.`);
    this.host.sendPing(link, MsgType.PING);
  }

  /** On a replica in a manual failover: the paused master's offset arrives in its header. */
  senderOffsetSeen(sender: ClusterNode, hdr: BusMessage): void {
    const me = this.host.myself;
    if (this.mfEnd !== 0 && me.isSlave && me.slaveof === sender && hdr.mflags[0] & MsgFlag0.PAUSED && this.mfMasterOffset === -1) {
      this.mfMasterOffset = sender.replOffset;
      this.host.doBeforeSleep(TODO_HANDLE_MANUALFAILOVER);
      this.log.warning(`Received replication offset for paused master manual failover: ${this.mfMasterOffset}`);
    }
  }

  /** resetManualFailover */
  resetManualFailover(): void {
    if (this.mfSlave !== null) {
      const server = this.host.server;
      server.pause = null;
      server.resumeDeferred();
    }
    this.mfEnd = 0;
    this.mfCanStart = false;
    this.mfSlave = null;
    this.mfMasterOffset = -1;
  }

  manualFailoverCheckTimeout(): void {
    if (this.mfEnd !== 0 && this.mfEnd < Date.now()) {
      this.log.warning('Manual failover timed out.');
      this.resetManualFailover();
    }
  }

  /** clusterHandleManualFailover */
  handleManualFailover(): void {
    if (this.mfEnd === 0 || this.mfCanStart || this.mfMasterOffset === -1) return;
    if (this.mfMasterOffset === this.host.replicaOffset()) {
      this.mfCanStart = true;
      this.log.warning('All master replication stream processed, manual failover can start.');
      this.host.doBeforeSleep(TODO_HANDLE_FAILOVER);
      return;
    }
    this.host.doBeforeSleep(TODO_HANDLE_MANUALFAILOVER);
  }

  /** CLUSTER FAILOVER [FORCE|TAKEOVER] once its preconditions hold. */
  startManualFailover(mode: 'default' | 'force' | 'takeover'): void {
    const h = this.host;
    this.resetManualFailover();
    this.mfEnd = Date.now() + MF_TIMEOUT;
    if (mode === 'takeover') {
      this.log.warning('Taking over the master (user request).');
      h.bumpConfigEpochWithoutConsensus();
      this.replaceMaster();
    } else if (mode === 'force') {
      this.log.warning('Forced failover user request accepted.');
      this.mfCanStart = true;
    } else {
      this.log.warning('Manual failover user request accepted.');
      h.send(h.myself.slaveof!.link, h.buildHeader(MsgType.MFSTART));
    }
  }

  // -- Elections (replicas) ----------------------------------------------------------------------

  /** clusterGetSlaveRank */
  private rank(): number {
    const me = this.host.myself;
    const master = me.slaveof;
    if (master === null) return 0;
    const myoffset = this.host.replicaOffset();
    let rank = 0;
    for (const s of master.slaves) if (s !== me && !(s.flags & NodeFlag.NOFAILOVER) && s.replOffset > myoffset) rank++;
    return rank;
  }

  private logCantFailover(reason: number): void {
    const now = Math.floor(Date.now() / 1000);
    if (reason === this.cantFailoverReason && now - this.lastCantLog < CANT_FAILOVER_RELOG_PERIOD) return;
    this.cantFailoverReason = reason;
    const master = this.host.myself.slaveof;
    if (master !== null && master.failed && Date.now() - master.failTime < this.host.nodeTimeout + 5000) return;
    const msg =
      reason === CantFailover.DATA_AGE
        ? "Disconnected from master for longer than allowed. Please check the 'cluster-replica-validity-factor' configuration option."
        : reason === CantFailover.WAITING_DELAY
          ? 'Waiting the delay before I can start a new failover.'
          : reason === CantFailover.EXPIRED
            ? 'Failover attempt expired.'
            : reason === CantFailover.WAITING_VOTES
              ? 'Waiting for votes, but majority still not reached.'
              : 'Unknown reason code.';
    this.lastCantLog = now;
    this.log.warning(`Currently unable to failover: ${msg}`);
  }

  /** clusterFailoverReplaceYourMaster */
  replaceMaster(): void {
    const h = this.host;
    const me = h.myself;
    const oldmaster = me.slaveof;
    if (me.isMaster || oldmaster === null) return;
    h.setNodeAsMaster(me);
    ReplicationState.of(h.server).unsetMaster();
    for (let j = 0; j < SLOTS; j++) {
      if (oldmaster.hasSlot(j)) {
        h.delSlot(j);
        h.addSlot(me, j);
      }
    }
    h.updateState();
    h.saveConfigOrDie(true);
    h.broadcastPong(0);
    this.resetManualFailover();
  }

  /** The seconds of data age (repl_down_since or the master's last interaction). */
  private dataAgeMs(): number {
    const replication = this.host.server.replication;
    if (!(replication instanceof ReplicationState) || replication.link === null) return Number.MAX_SAFE_INTEGER;
    const link = replication.link;
    const now = Math.floor(Date.now() / 1000);
    return link.state === 'connected' ? (now - link.lastIo) * 1000 : (now - link.downSince) * 1000;
  }

  /** clusterHandleSlaveFailover */
  handleSlaveFailover(): void {
    const h = this.host;
    const me = h.myself;
    const config = h.server.config;
    const now = Date.now();
    const authAge = now - this.authTime;
    const quorum = Math.floor(h.size / 2) + 1;
    const manual = this.mfEnd !== 0 && this.mfCanStart;
    const authTimeout = Math.max(h.nodeTimeout * 2, 2000);
    const authRetryTime = authTimeout * 2;
    const noFailover = config.getBool('cluster-replica-no-failover');
    if (me.isMaster || me.slaveof === null || (!me.slaveof.failed && !manual) || (noFailover && !manual) || me.slaveof.numslots === 0) {
      this.cantFailoverReason = CantFailover.NONE;
      return;
    }
    let dataAge = this.dataAgeMs();
    if (dataAge > h.nodeTimeout) dataAge -= h.nodeTimeout;
    const validity = config.getInt('cluster-replica-validity-factor');
    const pingPeriod = config.getInt('repl-ping-replica-period');
    if (validity !== 0 && dataAge > pingPeriod * 1000 + h.nodeTimeout * validity && !manual) {
      this.logCantFailover(CantFailover.DATA_AGE);
      return;
    }
    if (authAge > authRetryTime) {
      this.authTime = now + 500 + Math.floor(Math.random() * 500);
      this.authCount = 0;
      this.authSent = false;
      this.authRank = this.rank();
      this.authTime += this.authRank * 1000;
      if (this.mfEnd !== 0) {
        this.authTime = now;
        this.authRank = 0;
        h.doBeforeSleep(TODO_HANDLE_FAILOVER);
      }
      this.log.warning(`Start of election delayed for ${this.authTime - now} milliseconds (rank #${this.authRank}, offset ${h.replicaOffset()}).`);
      h.broadcastPong(1);
      return;
    }
    if (!this.authSent && this.mfEnd === 0) {
      const newrank = this.rank();
      if (newrank > this.authRank) {
        const added = (newrank - this.authRank) * 1000;
        this.authTime += added;
        this.authRank = newrank;
        this.log.warning(`Replica rank updated to #${newrank}, added ${added} milliseconds of delay.`);
      }
    }
    if (now < this.authTime) {
      this.logCantFailover(CantFailover.WAITING_DELAY);
      return;
    }
    if (authAge > authTimeout) {
      this.logCantFailover(CantFailover.EXPIRED);
      return;
    }
    if (!this.authSent) {
      h.currentEpoch++;
      this.authEpoch = h.currentEpoch;
      this.log.warning(`Starting a failover election for epoch ${h.currentEpoch}.`);
      const req = h.buildHeader(MsgType.FAILOVER_AUTH_REQUEST);
      if (this.mfEnd !== 0) req.mflags[0] |= MsgFlag0.FORCEACK;
      h.broadcast(req);
      this.authSent = true;
      h.doBeforeSleep(TODO_SAVE_CONFIG | TODO_UPDATE_STATE | TODO_FSYNC_CONFIG);
      return;
    }
    if (this.authCount >= quorum) {
      this.log.warning("Failover election won: I'm the new master.");
      if (me.configEpoch < this.authEpoch) {
        me.configEpoch = this.authEpoch;
        this.log.warning(`configEpoch set to ${me.configEpoch} after successful failover`);
      }
      this.replaceMaster();
    } else {
      this.logCantFailover(CantFailover.WAITING_VOTES);
    }
  }

  /** clusterHandleSlaveMigration */
  handleSlaveMigration(maxSlaves: number): void {
    const h = this.host;
    const me = h.myself;
    if (h.state !== 0) return;
    const mymaster = me.slaveof;
    if (mymaster === null) return;
    let okslaves = 0;
    for (const s of mymaster.slaves) if (!s.failed && !s.timedOut) okslaves++;
    if (okslaves <= h.server.config.getInt('cluster-migration-barrier')) return;
    let candidate = me;
    let target: ClusterNode | null = null;
    for (const node of h.nodes.values()) {
      let ok = 0;
      let orphaned = !(node.isSlave || node.failed) && (node.flags & NodeFlag.MIGRATE_TO) !== 0;
      if (node.isMaster) ok = node.nonFailingSlaves();
      if (ok > 0) orphaned = false;
      if (orphaned) {
        if (target === null && node.numslots > 0) target = node;
        if (node.orphanedTime === 0) node.orphanedTime = Date.now();
      } else {
        node.orphanedTime = 0;
      }
      if (ok === maxSlaves) for (const s of node.slaves) if (s.name < candidate.name) candidate = s;
    }
    if (target !== null && candidate === me && Date.now() - target.orphanedTime > SLAVE_MIGRATION_DELAY) {
      this.log.warning(`Migrating to orphaned master ${target.name}`);
      h.setMaster(target);
    }
  }
}
