/**
 * The master half of replication (replication.c's syncCommand, masterTryPartial-
 * Resynchronization, replconfCommand, replicationCron's replica part, WAIT).
 *
 * A replica's life here:
 *   REPLCONF listening-port / ip-address / capa ...   (recorded before it is a replica)
 *   PSYNC replid offset | SYNC
 *     -> +CONTINUE <replid>  and the backlog from `offset`: online at once, or
 *     -> +FULLRESYNC <replid> <offset> (PSYNC only), then the RDB payload:
 *          `$<len>\r\n<rdb>`                      (disk-based form), or
 *          `$EOF:<40 random chars>\r\n<rdb><mark>` (diskless, replica said capa eof)
 *        With repl-diskless-sync and a delay, replicas that ask within the delay share one
 *        snapshot; until it is taken they get a newline every second (keepalive).
 *        After a diskless payload the stream is held back until the replica's first
 *        REPLCONF ACK: it reads the payload in blocks and cannot tell where it ends
 *        before the mark, so stream bytes right behind it would be taken for RDB data.
 *        From the start of its snapshot a replica is a reader of the shared replication
 *        buffer (repl-buffer.ts): the stream waits there, once for all replicas, and goes
 *        out as its socket takes it.
 *   REPLCONF ACK <offset>   every second, and when asked with REPLCONF GETACK *.
 *
 * The snapshot is taken in time slices, point in time (writes preserve the keys it has
 * not reached yet), so it is exactly the dataset at the offset announced in +FULLRESYNC.
 */
import type { Client } from '../server/client.js';
import type { Server } from '../server/server.js';
import { encodeCommand } from '../server/propagation.js';
import { BlockingManager } from '../server/blocking.js';
import { overOutputLimit } from '../server/output-limits.js';
import { SnapshotJob } from '../persistence/snapshot.js';
import { PersistenceManager } from '../persistence/manager.js';
import { replicaIp, type AttachedReplica, type ReplicationCore, type ReplicaSyncState } from './roles.js';


/** A snapshot runs in slices of this many ms; clients are served in between. */
const SNAPSHOT_SLICE_MS = 5;

/** A replica's stream goes to its socket in writes of at most this many bytes... */
const STREAM_CHUNK = 64 * 1024;
/** ...while the socket holds fewer than this many unsent (the rest waits in the buffer). */
const STREAM_HIGH_WATER = 256 * 1024;
/**
 * A diskless snapshot waits while a replica's socket holds more unsent payload than this:
 * the snapshot goes at the pace of the slowest replica, as Redis's fork child writing
 * into a pipe that the parent relays to every replica.
 */
const PAYLOAD_HIGH_WATER = 1024 * 1024;


/** What a client said with REPLCONF before it asked for a sync. */
interface Announced {
  listeningPort: number;
  announcedIp: string | null;
  capaEof: boolean;
  capaPsync2: boolean;
}

/** A client waiting in WAIT numreplicas timeout. */
interface AckWaiter {
  client: Client;
  offset: number;
  numReplicas: number;
}

const GETACK = encodeCommand(['REPLCONF', 'GETACK', '*']);
const PING = encodeCommand(['PING']);

function unixNow(): number {
  return Math.floor(Date.now() / 1000);
}

/** Payload bytes to a replica's connection, without a string copy when it can. */
function sendBytes(client: Client, bytes: Buffer): void {
  const sink = client.sink;
  if (sink?.sendRawBytes) sink.sendRawBytes(bytes);
  else sink?.sendRaw?.(bytes.toString('latin1'));
}

function randomMark(): string {
  const chars = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
  let mark = '';
  for (let i = 0; i < 40; i++) mark += chars[Math.floor(Math.random() * chars.length)];
  return mark;
}

export class MasterSide {
  private readonly replicas: AttachedReplica[] = [];
  private readonly announced = new WeakMap<Client, Announced>();
  private readonly waiters: AckWaiter[] = [];
  /** A diskless sync waiting for repl-diskless-sync-delay to pass. */
  private syncTimer: NodeJS.Timeout | null = null;
  /** The snapshot being sent to replicas, if any (one at a time, as one BGSAVE). */
  private snapshotRunning = false;
  private getAckScheduled = false;
  private pumpScheduled = false;
  /** The replicationCron loop (seconds since the server started) of the last PING. */
  private lastPing: number;

  constructor(
    private readonly server: Server,
    private readonly state: ReplicationCore,
  ) {
    this.lastPing = this.cronLoop(unixNow());
  }

  private cronLoop(now: number): number {
    return now - Math.floor(this.server.startTime / 1000);
  }

  /** The replicas still connected. */
  list(): readonly AttachedReplica[] {
    for (let i = this.replicas.length - 1; i >= 0; i--) if (this.replicas[i]!.client.closed) this.drop(i);
    return this.replicas;
  }

  of(client: Client): AttachedReplica | undefined {
    return this.replicas.find((r) => r.client === client);
  }

  /** replicationGetSlaveName: ip:listening-port when known. */
  nameOf(client: Client): string {
    const info = this.of(client) ?? this.announced.get(client);
    const ip = replicaIp({ client, announcedIp: info?.announcedIp ?? null });
    return info && info.listeningPort ? `${ip}:${info.listeningPort}` : client.addr;
  }

  /**
   * The replica class of client-output-buffer-limit, on the stream held for a replica
   * during its sync (Redis's replication buffer): past it the replica is dropped.
   */
  private overLimit(replica: AttachedReplica): boolean {
    const limit = this.server.outputLimits.replica;
    // A hard limit under repl-backlog-size would drop replicas a partial resync just
    // accepted: Redis uses the backlog size instead (checkClientOutputBufferLimits).
    const backlogSize = this.server.config.getInt('repl-backlog-size');
    const effective = limit.hard !== 0 && limit.hard < backlogSize ? { ...limit, hard: backlogSize } : limit;
    if (!overOutputLimit(effective, this.heldBy(replica), replica, Date.now())) return false;
    this.server.log.warning(
      `Client id=${replica.client.id} addr=${replica.client.addr} scheduled to be closed ASAP for overcoming of output buffer limits.`,
    );
    return true;
  }

  /** What a replica holds of the replication buffer (its output buffer memory). */
  outputMemory(client: Client): number {
    const replica = this.of(client);
    return replica === undefined ? 0 : this.heldBy(replica);
  }

  private heldBy(replica: AttachedReplica): number {
    const buffer = this.state.backlog;
    return replica.reader === null || buffer === null ? 0 : buffer.heldBy(replica.reader);
  }

  private drop(index: number): void {
    const [replica] = this.replicas.splice(index, 1);
    if (replica === undefined) return;
    this.release(replica);
    this.server.log.notice(`Connection with replica ${this.nameOf(replica.client)} lost.`);
    if (this.replicas.length === 0) this.state.noReplicasSince = unixNow();
  }

  /** A replica record from what the client announced with REPLCONF. */
  private newReplica(client: Client, state: ReplicaSyncState, preSync: boolean): AttachedReplica {
    const a = this.announce(client);
    return {
      client,
      state,
      listeningPort: a.listeningPort,
      announcedIp: a.announcedIp,
      capaEof: a.capaEof,
      capaPsync2: a.capaPsync2,
      preSync,
      ackOffset: 0,
      ackTime: unixNow(),
      reader: null,
      streaming: false,
      payloadProgressAt: 0,
      payloadQueued: 0,
      softSince: 0,
    };
  }

  /** The replica reads the replication buffer from stream offset `next` on. */
  private startReading(replica: AttachedReplica, next: number): void {
    replica.reader = { next };
    this.state.backlog!.attach(replica.reader);
    replica.client.onDrain = () => this.pump(replica);
  }

  private release(replica: AttachedReplica): void {
    replica.client.onDrain = null;
    if (replica.reader !== null) this.state.backlog?.detach(replica.reader);
    replica.reader = null;
  }

  /**
   * The replication buffer got stream bytes (`newBlock`: in a new block). As Redis,
   * replicas are checked against their output limit when a block is added; the bytes
   * go out at the end of this turn of the event loop, with the replies.
   */
  fed(newBlock: boolean): void {
    for (let i = this.replicas.length - 1; i >= 0; i--) {
      const replica = this.replicas[i]!;
      if (replica.client.closed) {
        this.drop(i);
        continue;
      }
      if (newBlock && replica.reader !== null && this.overLimit(replica)) {
        this.drop(i);
        replica.client.sink?.close(false);
      }
    }
    if (!this.pumpScheduled && this.replicas.length !== 0) {
      this.pumpScheduled = true;
      setImmediate(() => {
        this.pumpScheduled = false;
        for (const replica of this.replicas) this.pump(replica);
      });
    }
  }

  /** Writes a replica's pending stream while its socket takes it (then waits for drain). */
  private pump(replica: AttachedReplica): void {
    const reader = replica.reader;
    const buffer = this.state.backlog;
    if (!replica.streaming || reader === null || buffer === null || replica.client.closed) return;
    const sink = replica.client.sink!;
    if (!buffer.covers(reader.next)) {
      // Its place is no longer in the buffer (a new history replaced it): resync.
      sink.close(false);
      return;
    }
    const before = reader.next;
    while (reader.next < buffer.endOffset && sink.queuedBytes!() < STREAM_HIGH_WATER) {
      const chunk = buffer.chunkAt(reader.next, STREAM_CHUNK);
      sink.writeStream!(chunk);
      reader.next += chunk.length;
      if (replica.client.closed) return;
    }
    if (reader.next !== before) buffer.advanced();
  }

  /** The replica may get its stream now. */
  private startStreaming(replica: AttachedReplica): void {
    replica.streaming = true;
    this.pump(replica);
  }

  /** Closes every replica link (a new history: they reconnect and learn it). */
  disconnectAll(): void {
    for (const replica of this.replicas.splice(0)) {
      this.release(replica);
      replica.client.sink?.close(false);
    }
    this.state.noReplicasSince = unixNow();
  }

  goodCount(maxLag: number): number {
    const now = unixNow();
    let good = 0;
    for (const r of this.list()) if (r.state === 'online' && now - r.ackTime <= maxLag) good++;
    return good;
  }

  // -- REPLCONF --------------------------------------------------------------------------------

  announce(client: Client): Announced {
    const existing = this.of(client);
    if (existing) return existing;
    let a = this.announced.get(client);
    if (!a) this.announced.set(client, (a = { listeningPort: 0, announcedIp: null, capaEof: false, capaPsync2: false }));
    return a;
  }

  /** REPLCONF ACK <offset>: only a replica's acknowledgements count. */
  ack(client: Client, offset: number): void {
    const replica = this.of(client);
    if (!replica) return;
    if (offset > replica.ackOffset) replica.ackOffset = offset;
    replica.ackTime = unixNow();
    // The replica loaded the diskless payload: now it gets the stream.
    if (!replica.streaming && replica.state === 'online') this.startStreaming(replica);
    if (this.waiters.length !== 0) this.serveWaiters();
    if (this.state.failover.state === 'waiting-for-sync') this.state.failover.update();
  }

  // -- SYNC / PSYNC --------------------------------------------------------------------------

  /** syncCommand. `psync` holds PSYNC's replid and offset, null for SYNC. */
  sync(client: Client, psync: { replId: string; offset: number } | null): void {
    const server = this.server;
    server.log.notice(`Replica ${this.nameOf(client)} asks for synchronization`);
    if (psync !== null) {
      if (this.tryPartial(client, psync.replId, psync.offset)) {
        server.stats.syncPartialOk++;
        return;
      }
      if (psync.replId !== '?') server.stats.syncPartialErr++;
    }
    server.stats.syncFull++;
    const replica = this.newReplica(client, 'wait_bgsave', psync === null);
    this.attach(replica);
    if (this.state.backlog === null) {
      // A backlog created from scratch starts a new history with no past.
      this.state.newHistory();
      this.state.createBacklog();
      server.log.notice(`Replication backlog created, my new replication IDs are '${this.state.replId}' and '${this.state.replId2}'`);
    }
    const diskless = server.config.getBool('repl-diskless-sync') && replica.capaEof;
    const delay = server.config.getInt('repl-diskless-sync-delay');
    if (diskless && delay > 0 && !this.maxReplicasWaiting()) {
      if (this.syncTimer === null) {
        server.log.notice('Delay next BGSAVE for diskless SYNC');
        this.syncTimer = setTimeout(() => this.startSnapshot(), delay * 1000);
      }
      return;
    }
    // Deferred to the end of this turn: the PSYNC's own handling finishes first.
    setImmediate(() => this.startSnapshot());
  }

  private attach(replica: AttachedReplica): void {
    // Replicas get the stream only: a reply would mean a rogue replica (Client.reply).
    replica.client.isReplica = true;
    this.replicas.push(replica);
    this.state.startCron();
  }

  /** repl-diskless-sync-max-replicas: enough replicas wait to start at once. */
  private maxReplicasWaiting(): boolean {
    const max = this.server.config.getInt('repl-diskless-sync-max-replicas');
    if (max === 0) return false;
    let waiting = 0;
    for (const r of this.replicas) if (r.state === 'wait_bgsave') waiting++;
    return waiting >= max;
  }

  /** masterTryPartialResynchronization. */
  private tryPartial(client: Client, replId: string, offset: number): boolean {
    const state = this.state;
    const log = this.server.log;
    const sameHistory = replId.toLowerCase() === state.replId || (replId.toLowerCase() === state.replId2 && offset <= state.secondReplOffset);
    if (!sameHistory) {
      if (replId === '?') log.notice(`Full resync requested by replica ${this.nameOf(client)}`);
      else if (replId.toLowerCase() !== state.replId && replId.toLowerCase() !== state.replId2) {
        log.notice(
          `Partial resynchronization not accepted: Replication ID mismatch (Replica asked for '${replId}', my replication IDs are '${state.replId}' and '${state.replId2}')`,
        );
      } else {
        log.notice(`Partial resynchronization not accepted: Requested offset for second ID was ${offset}, but I can reply up to ${state.secondReplOffset}`);
      }
      return false;
    }
    const backlog = state.backlog;
    if (backlog === null || !backlog.covers(offset)) {
      log.notice(`Unable to partial resync with replica ${this.nameOf(client)} for lack of backlog (Replica request was: ${offset}).`);
      if (offset > state.offset) {
        log.warning(`Warning: replica ${this.nameOf(client)} tried to PSYNC with an offset that is greater than the master replication offset.`);
      }
      return false;
    }
    const replica = this.newReplica(client, 'online', false);
    client.sink!.sendRaw!(replica.capaPsync2 ? `+CONTINUE ${state.replId}\r\n` : '+CONTINUE\r\n');
    this.attach(replica);
    // The missing bytes go out from the buffer like the rest of the stream.
    this.startReading(replica, offset);
    this.startStreaming(replica);
    log.notice(
      `Partial resynchronization request from ${this.nameOf(client)} accepted. Sending ${backlog.endOffset - offset} bytes of backlog starting from offset ${offset}.`,
    );
    return true;
  }

  /**
   * One snapshot for every replica waiting for one, taken in time slices so that clients
   * are served meanwhile (writes preserve the keys it has not reached: point in time).
   * Diskless replicas get the bytes as they are produced; disk-form replicas get
   * `$<len>` once the length is known. The stream meanwhile waits in the buffer.
   */
  private startSnapshot(): void {
    if (this.syncTimer !== null) clearTimeout(this.syncTimer);
    this.syncTimer = null;
    if (this.snapshotRunning) return; // the replicas wait for the next one
    const waiting = this.list().filter((r) => r.state === 'wait_bgsave');
    if (waiting.length === 0) return;
    const server = this.server;
    const diskless = server.config.getBool('repl-diskless-sync');
    server.log.notice(`Starting BGSAVE for SYNC with target: ${diskless ? 'replicas sockets' : 'disk'}`);
    // The last measure of used memory: measuring again would stall the server.
    const job = new SnapshotJob(server, { usedMemory: server.lastUsedMemory });
    const persistence = PersistenceManager.of(server);
    persistence.trackSnapshot(job);
    this.snapshotRunning = true;
    // The snapshot is the dataset at this offset; the stream continues from here.
    const offset = this.state.offset;
    this.state.selectedDb = -1;
    const marks = new Map<AttachedReplica, string>();
    for (const replica of waiting) {
      replica.state = 'wait_bgsave_end';
      // The stream from the snapshot's offset on waits in the buffer meanwhile.
      this.startReading(replica, offset + 1);
      const sink = replica.client.sink!;
      if (!replica.preSync) sink.sendRaw!(`+FULLRESYNC ${this.state.replId} ${offset}\r\n`);
      if (diskless && replica.capaEof) {
        const mark = randomMark();
        marks.set(replica, mark);
        sink.sendRaw!(`$EOF:${mark}\r\n`);
        replica.payloadProgressAt = unixNow();
        replica.payloadQueued = 0;
      }
    }
    const needsLength = waiting.some((r) => !marks.has(r));
    const whole: Buffer[] = [];
    let length = 0;
    // A disk-form sync is a BGSAVE in Redis: with a save schedule its file is worth
    // finishing (and is written) even when no replica is left for it.
    const keepWithoutReplicas = !diskless && persistence.enabled && server.config.get('save').trim() !== '';
    const slice = (): void => {
      if (waiting.every((r) => r.client.closed) && !keepWithoutReplicas) {
        // Nobody is left to receive it (Redis kills the fork child).
        if (diskless) server.log.warning('Diskless rdb transfer, last replica dropped, killing fork child.');
        persistence.untrackSnapshot(job);
        this.snapshotRunning = false;
        if (this.list().some((r) => r.state === 'wait_bgsave')) setImmediate(() => this.startSnapshot());
        return;
      }
      if (this.payloadBlocked(marks.keys())) {
        setTimeout(slice, 10);
        return;
      }
      const done = job.step(performance.now() + SNAPSHOT_SLICE_MS);
      for (const chunk of job.drain()) {
        length += chunk.length;
        if (needsLength) whole.push(chunk);
        for (const [replica] of marks) if (!replica.client.closed) sendBytes(replica.client, chunk);
      }
      if (!done) {
        const wait = job.resumeAt - performance.now();
        if (wait > 0) setTimeout(slice, wait);
        else setImmediate(slice);
        return;
      }
      persistence.untrackSnapshot(job);
      this.snapshotRunning = false;
      if (marks.size !== 0) {
        const up = [...marks.keys()].filter((r) => !r.client.closed).length;
        server.log.warning(`Diskless rdb transfer, done reading from pipe, ${up} replicas still up.`);
      }
      const payload = needsLength ? Buffer.concat(whole) : null;
      // The disk form's snapshot is the RDB file too, as Redis's BGSAVE for SYNC.
      if (!diskless && payload !== null && persistence.enabled) persistence.saveReplicationSnapshot(payload);
      for (const replica of waiting) {
        if (replica.client.closed) continue;
        const sink = replica.client.sink!;
        const mark = marks.get(replica);
        replica.state = 'online';
        if (mark !== undefined) {
          replica.payloadProgressAt = 0;
          sink.sendRaw!(mark); // the stream waits for the replica's first ACK
        } else {
          sink.sendRaw!(`$${length}\r\n`);
          sendBytes(replica.client, payload!);
          this.startStreaming(replica);
        }
        replica.ackTime = unixNow();
        server.log.notice(`Synchronization with replica ${this.nameOf(replica.client)} succeeded`);
      }
      // Replicas that asked meanwhile get the next snapshot.
      if (this.replicas.some((r) => r.state === 'wait_bgsave')) setImmediate(() => this.startSnapshot());
    };
    slice();
  }

  /**
   * True while a diskless replica's socket holds too much unsent payload. Notes when
   * each last took some (repl-timeout of a stalled replica, in cron).
   */
  private payloadBlocked(replicas: Iterable<AttachedReplica>): boolean {
    let blocked = false;
    for (const replica of replicas) {
      if (replica.client.closed) continue;
      const queued = replica.client.sink!.queuedBytes!();
      if (queued === 0 || queued < replica.payloadQueued) replica.payloadProgressAt = unixNow();
      replica.payloadQueued = queued;
      if (queued > PAYLOAD_HIGH_WATER) blocked = true;
    }
    return blocked;
  }

  // -- WAIT ------------------------------------------------------------------------------------

  /** replicationCountAcksByOffset. */
  acksAt(offset: number): number {
    let n = 0;
    for (const r of this.list()) if (r.state === 'online' && r.ackOffset >= offset) n++;
    return n;
  }

  /** WAIT numreplicas timeout: blocks `client` until enough replicas acknowledge. */
  wait(client: Client, numReplicas: number, deadline: number): void {
    const offset = this.state.offset;
    const waiter: AckWaiter = { client, offset, numReplicas };
    this.waiters.push(waiter);
    BlockingManager.of(this.server).block(client, {
      db: client.db,
      keys: [],
      deadline,
      timeoutReply: () => {
        this.forgetWaiter(waiter);
        return this.acksAt(offset);
      },
      tryServe: () => undefined,
      timer: null,
    });
    this.requestAcks();
  }

  private forgetWaiter(waiter: AckWaiter): void {
    const i = this.waiters.indexOf(waiter);
    if (i >= 0) this.waiters.splice(i, 1);
  }

  /** processClientsWaitingReplicas. */
  private serveWaiters(): void {
    const blocking = BlockingManager.of(this.server);
    for (const waiter of this.waiters.slice()) {
      if (waiter.client.closed || waiter.client.blocked === null) {
        this.forgetWaiter(waiter);
        continue;
      }
      const acked = this.acksAt(waiter.offset);
      if (acked >= waiter.numReplicas) {
        this.forgetWaiter(waiter);
        blocking.unblock(waiter.client, acked);
      }
    }
  }

  /** replicationRequestAckFromSlaves: one REPLCONF GETACK * in the stream before sleeping. */
  requestAcks(): void {
    if (this.getAckScheduled) return;
    this.getAckScheduled = true;
    setImmediate(() => {
      this.getAckScheduled = false;
      if (this.state.master === null && this.state.backlog !== null && this.list().length !== 0) this.state.feedStream(GETACK);
    });
  }

  // -- replicationCron ---------------------------------------------------------------------------

  cron(now: number): void {
    const replicas = this.list();
    if (replicas.length === 0) return;
    const server = this.server;
    // A top master pings its replicas every repl-ping-replica-period seconds (in the stream).
    const period = server.config.getInt('repl-ping-replica-period');
    // replication_cron_loops % repl_ping_slave_period: loops count from the server's start.
    // A timer tick may skip a second: the PING goes out at the first loop past a multiple.
    const loop = this.cronLoop(now);
    if (this.state.master === null && this.state.backlog !== null && loop - (loop % period) > this.lastPing) {
      this.lastPing = loop;
      this.state.feedStream(PING);
    }
    const timeout = server.config.getInt('repl-timeout');
    for (const replica of replicas) {
      // Replicas waiting for their snapshot get newlines, so they do not time out.
      if (replica.state === 'wait_bgsave') replica.client.sink?.sendRaw?.('\n');
      // A replica that takes none of its diskless payload for repl-timeout seconds.
      if (replica.state === 'wait_bgsave_end' && replica.payloadProgressAt !== 0 && replica.client.sink!.queuedBytes!() > 0 && now - replica.payloadProgressAt > timeout) {
        server.log.warning(`Disconnecting timedout replica (full sync): ${this.nameOf(replica.client)}`);
        replica.client.sink?.close(false);
      }
      if (replica.state === 'online' && !replica.preSync && now - replica.ackTime > timeout) {
        server.log.warning(`Disconnecting timedout replica (streaming sync): ${this.nameOf(replica.client)}`);
        replica.client.sink?.close(false);
      }
    }
  }
}
