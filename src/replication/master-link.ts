/**
 * The replica half of replication (replication.c's connectWithMaster, syncWithMaster,
 * readSyncBulkPayload, replicationSendAck): the link from this replica to its master.
 *
 * The handshake, one request and one reply line at a time:
 *   PING                                   -> +PONG (or -NOAUTH: AUTH comes next)
 *   AUTH [masteruser] masterauth           -> +OK                       (if masterauth)
 *   REPLCONF listening-port <port>         -> +OK  (errors are not fatal)
 *   REPLCONF ip-address <ip>               -> +OK                (if replica-announce-ip)
 *   REPLCONF capa eof capa psync2          -> +OK
 *   PSYNC <replid> <offset+1> | PSYNC ? -1 -> +FULLRESYNC <replid> <offset> | +CONTINUE [<replid>]
 * Then, after a full resync, the payload: any number of "\n" keepalives, then
 * `$<len>\r\n` and len bytes, or `$EOF:<40-byte mark>\r\n` and bytes up to the mark.
 * Then the stream: commands applied as the master client, their bytes counted in the
 * replication offset and proxied unchanged to this server's own replicas.
 *
 * Every failure closes the link and logs Redis's line; the cron reconnects a second later.
 * The old dataset is kept until the new one has been read completely and parsed.
 */
import net from 'node:net';
import { Client, logErrorOnLink, type ReplySink } from '../server/client.js';
import type { Server } from '../server/server.js';
import { DEFERRED, processCommand } from '../server/dispatch.js';
import { RespParser, ProtocolError } from '../protocol/resp-parser.js';
import { encodeCommand } from '../server/propagation.js';
import { readRdbFile, RdbLoadError, RdbStreamParser, type RdbContents } from '../persistence/rdb-reader.js';
import { installContents } from '../persistence/snapshot.js';
import { ErrorReply, type Reply } from '../protocol/reply.js';
import type { ReplicationCore } from './roles.js';

/** repl_state, as ROLE and INFO name it. */
export type LinkState = 'connect' | 'connecting' | 'handshake' | 'sync' | 'connected';

/** Longest reply line accepted during the handshake (Redis reads lines into a small buffer). */
const MAX_LINE = 64 * 1024;

function unixNow(): number {
  return Math.floor(Date.now() / 1000);
}

/** The payload being received. */
interface Transfer {
  /** Bytes announced by `$<len>`, or -1 for the EOF form. */
  size: number;
  mark: string | null;
  chunks: Buffer[];
  read: number;
  /** The last 40 bytes read (fewer at first), where the EOF mark is looked for. */
  last: Buffer;
  /**
   * With diskless load, the payload is parsed as it arrives (then `chunks` stays empty):
   * the end of the RDB is found by parsing, and the EOF mark must follow it.
   */
  parser: RdbStreamParser | null;
  /** key-load-delay: the socket is paused until this batch's delay has passed. */
  throttled: boolean;
  /** Parses what is there once the bytes stop coming for a moment (see loadSome). */
  idleRetry: NodeJS.Timeout | null;
}

/** How long the payload must pause before a cut entry is parsed again regardless. */
const IDLE_RETRY_MS = 5;

/** key-load-delay in microseconds per key (a negative value -n: 1 us per n keys on average). */
function keyLoadDelayUs(server: Server): number {
  const delay = server.config.getInt('key-load-delay');
  return delay > 0 ? delay : delay < 0 ? 1 / -delay : 0;
}

export class MasterLink {
  state: LinkState = 'connect';
  private socket: net.Socket | null = null;
  /** The client applying the master's stream (server.master), once synced. */
  client: Client | null = null;
  /** Bytes received and not yet used by the handshake or the transfer. */
  private input: Buffer = Buffer.alloc(0);
  private replyWaiter: ((line: string) => void) | null = null;
  private transfer: Transfer | null = null;
  private parser: RespParser | null = null;
  private readonly queue: string[][] = [];
  private queueIndex = 0;
  private applying = false;
  /** read_reploff: offset of the last stream byte read; reploff: of the last one applied. */
  readOffset = 0;
  appliedOffset = 0;
  /** Unix seconds of the last byte from the master (master_last_io_seconds_ago). */
  lastIo = unixNow();
  private connectStarted = unixNow();
  /** repl_down_since: 0 while connected. */
  downSince = unixNow();
  /** The FULLRESYNC reply: where the loaded snapshot puts us. */
  private fullSync: { replId: string; offset: number } | null = null;
  private closed = false;
  /**
   * While a payload arrives with diskless load (repl-diskless-load swapdb, or on-empty-db
   * with an empty dataset): 1 loading, or 2 async_loading when the master continues our
   * own history (readSyncBulkPayload's asyncLoading), else 0.
   */
  loadingMode: 0 | 1 | 2 = 0;

  constructor(
    private readonly server: Server,
    private readonly replication: ReplicationCore,
    readonly host: string,
    readonly port: number,
  ) {}

  // -- Connecting and the handshake --------------------------------------------------------------

  connect(): void {
    if (this.closed) return;
    this.state = 'connecting';
    this.connectStarted = unixNow();
    this.input = Buffer.alloc(0);
    this.transfer = null;
    this.parser = null;
    const socket = net.connect({ host: this.host, port: this.port });
    this.socket = socket;
    socket.setNoDelay(true);
    this.server.log.notice('MASTER <-> REPLICA sync started');
    socket.on('connect', () => {
      this.server.log.notice('Non blocking connect for SYNC fired the event.');
      this.lastIo = unixNow();
      this.state = 'handshake';
      this.handshake().catch((e: Error) => this.fail(e.message));
    });
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (e) => {
      if (this.state === 'connecting') this.server.log.warning(`Error condition on socket for SYNC: ${e.message}`);
      this.lost();
    });
    socket.on('close', () => this.lost());
  }

  /** Sends a handshake command and waits for its reply line. */
  private ask(args: string[]): Promise<string> {
    return new Promise((resolve) => {
      this.replyWaiter = resolve;
      this.socket?.write(Buffer.from(encodeCommand(args), 'latin1'));
      this.takeLine();
    });
  }

  private async handshake(): Promise<void> {
    const server = this.server;
    const log = server.log;
    const pong = await this.ask(['PING']);
    // -NOAUTH (and -NOPERM / -ERR operation not permitted) mean AUTH is needed: go on.
    if (pong.startsWith('-') && !pong.startsWith('-NOAUTH') && !pong.startsWith('-NOPERM') && !pong.startsWith('-ERR operation not permitted')) {
      throw new Error(`Error reply to PING from master: '${pong.slice(1)}'`);
    }
    log.notice('Master replied to PING, replication can continue...');
    const masterauth = server.config.get('masterauth');
    if (masterauth !== '') {
      const user = server.config.get('masteruser');
      const auth = await this.ask(user !== '' ? ['AUTH', user, masterauth] : ['AUTH', masterauth]);
      if (auth.startsWith('-')) throw new Error(`Unable to AUTH to MASTER: ${auth.slice(1)}`);
    }
    const announcedPort = server.config.getInt('replica-announce-port') || server.port;
    const portReply = await this.ask(['REPLCONF', 'listening-port', String(announcedPort)]);
    if (portReply.startsWith('-')) log.notice(`(Non critical) Master does not understand REPLCONF listening-port: ${portReply.slice(1)}`);
    const announcedIp = server.config.get('replica-announce-ip');
    if (announcedIp !== '') {
      const ipReply = await this.ask(['REPLCONF', 'ip-address', announcedIp]);
      if (ipReply.startsWith('-')) log.notice(`(Non critical) Master does not understand REPLCONF ip-address: ${ipReply.slice(1)}`);
    }
    const capaReply = await this.ask(['REPLCONF', 'capa', 'eof', 'capa', 'psync2']);
    if (capaReply.startsWith('-')) log.notice(`(Non critical) Master does not understand REPLCONF capa: ${capaReply.slice(1)}`);
    await this.psync();
  }

  /** slaveTryPartialResynchronization. */
  private async psync(): Promise<void> {
    const log = this.server.log;
    const cached = this.replication.cachedMaster;
    let request: string[];
    if (cached !== null) {
      request = ['PSYNC', cached.replId, String(cached.offset + 1)];
      log.notice(`Trying a partial resynchronization (request ${cached.replId}:${cached.offset + 1}).`);
    } else {
      request = ['PSYNC', '?', '-1'];
      log.notice('Partial resynchronization not possible (no cached master)');
    }
    // A failing-over master tells its target to take over (PSYNC ... FAILOVER).
    const failover = this.replication.failover;
    if (failover.state === 'failover-in-progress') request.push('FAILOVER');
    const reply = await this.ask(request);
    failover.psyncAnswered(reply.startsWith('+FULLRESYNC') || reply.startsWith('+CONTINUE'));
    if (this.closed) return;
    if (reply.startsWith('+FULLRESYNC')) {
      const [, replId, offset] = reply.split(' ');
      if (replId === undefined || replId.length !== 40 || offset === undefined || !/^-?\d+$/.test(offset)) {
        throw new Error(`Master replied with wrong +FULLRESYNC syntax.`);
      }
      log.notice(`Full resync from master: ${replId}:${offset}`);
      this.fullSync = { replId, offset: Number(offset) };
      // The cached history stays until the payload is loaded (replicationAttachToNewMaster):
      // if this sync fails, the old master can still continue it.
      this.state = 'sync';
      this.takePayloadHeader();
      return;
    }
    if (reply.startsWith('+CONTINUE')) {
      const newId = reply.slice('+CONTINUE'.length).trim();
      log.notice('Successful partial resynchronization with master.');
      const replication = this.replication;
      if (newId.length === 40 && newId !== cached!.replId) {
        // The master's history has a new ID (it was promoted): ours follows, the old
        // one stays valid as replid2, and our replicas must learn it.
        replication.offset = cached!.offset;
        replication.shiftReplicationId(newId);
        log.warning(`Master replication ID changed to ${newId}`);
        replication.replicas.disconnectAll();
      }
      log.notice('MASTER <-> REPLICA sync: Master accepted a Partial Resynchronization.');
      this.startStreaming(cached!.offset, cached!.db);
      return;
    }
    if (reply.startsWith('-NOMASTERLINK') || reply.startsWith('-LOADING')) {
      throw new Error(`Master is currently unable to PSYNC but should be in the future: ${reply.slice(1)}`);
    }
    throw new Error(`Unexpected reply to PSYNC from master: ${reply}`);
  }

  /** The payload's size and bytes read so far, while one is being received. */
  transferProgress(): { size: number; read: number } | null {
    const t = this.transfer;
    // Before the $ line the size is unknown (-1), in the EOF form it stays 0, as Redis shows them.
    if (t === null) return this.state === 'sync' ? { size: -1, read: 0 } : null;
    return { size: t.size < 0 ? 0 : t.size, read: t.read };
  }

  // -- Input ------------------------------------------------------------------------------------

  private onData(chunk: Buffer): void {
    if (this.closed) return;
    this.lastIo = unixNow();
    this.server.stats.netReplInputBytes += chunk.length;
    if (this.parser !== null) {
      this.feedStream(chunk);
      return;
    }
    this.input = this.input.length === 0 ? chunk : Buffer.concat([this.input, chunk]);
    if (this.transfer !== null) this.takePayload();
    else if (this.replyWaiter !== null) this.takeLine();
    else if (this.state === 'sync') this.takePayloadHeader();
    else if (this.input.length > MAX_LINE) this.fail('Master sent data before it was asked');
  }

  /** One CRLF-terminated line for the waiting handshake step. */
  private takeLine(): void {
    const end = this.input.indexOf('\n');
    if (end < 0) {
      if (this.input.length > MAX_LINE) this.fail('Reply line from MASTER too long');
      return;
    }
    let line = this.input.toString('latin1', 0, end);
    if (line.endsWith('\r')) line = line.slice(0, -1);
    this.input = this.input.subarray(end + 1);
    // An empty line is a keepalive newline, not the reply.
    if (line === '') {
      this.takeLine();
      return;
    }
    const waiter = this.replyWaiter;
    this.replyWaiter = null;
    waiter?.(line);
  }

  /** readSyncBulkPayload's first part: the `$<len>` or `$EOF:<mark>` line. */
  private takePayloadHeader(): void {
    const log = this.server.log;
    for (;;) {
      const end = this.input.indexOf('\n');
      if (end < 0) {
        if (this.input.length > MAX_LINE) this.fail('Bad protocol from MASTER: payload header too long');
        return;
      }
      let line = this.input.toString('latin1', 0, end);
      if (line.endsWith('\r')) line = line.slice(0, -1);
      this.input = this.input.subarray(end + 1);
      if (line === '') continue; // keepalive while the master prepares the snapshot
      if (line[0] === '-') {
        this.fail(`MASTER aborted replication with an error: ${line.slice(1)}`);
        return;
      }
      if (line[0] !== '$') {
        this.fail(`Bad protocol from MASTER, the first byte is not '$' (we received '${line}'), are you sure the host and port are right?`);
        return;
      }
      const mark = line.startsWith('$EOF:') && line.length === 5 + 40 ? line.slice(5) : null;
      const size = mark !== null ? -1 : /^\$\d+$/.test(line) ? Number(line.slice(1)) : NaN;
      if (!Number.isSafeInteger(size)) {
        this.fail(`Bad protocol from MASTER, the first byte is not '$' (we received '${line}'), are you sure the host and port are right?`);
        return;
      }
      this.transfer = { size, mark, chunks: [], read: 0, last: Buffer.alloc(0), parser: null, throttled: false, idleRetry: null };
      const diskless = this.startLoading();
      const target = diskless ? 'parser' : 'disk';
      log.notice(
        mark !== null
          ? `MASTER <-> REPLICA sync: receiving streamed RDB from master with EOF to ${target}`
          : `MASTER <-> REPLICA sync: receiving ${size} bytes from master to ${target}`,
      );
      if (diskless) {
        // Loaded from the socket as it arrives (rdbLoadRio on the connection).
        if (this.server.config.get('repl-diskless-load') !== 'swapdb') log.notice('MASTER <-> REPLICA sync: Flushing old data');
        log.notice('MASTER <-> REPLICA sync: Loading DB in memory');
        this.transfer.parser = new RdbStreamParser(this.loadOptions());
      }
      this.takePayload();
      return;
    }
  }

  /**
   * useDisklessLoad: the payload is loaded as it arrives, so the server is loading
   * meanwhile (async_loading when the master continues our own history). True if so.
   */
  private startLoading(): boolean {
    const mode = this.server.config.get('repl-diskless-load');
    const diskless = mode === 'swapdb' || (mode === 'on-empty-db' && this.server.totalKeys() === 0);
    if (!diskless) return false;
    const sameHistory = mode === 'swapdb' && this.fullSync !== null && this.fullSync.replId === this.replication.replId;
    this.loadingMode = sameHistory ? 2 : 1;
    return true;
  }

  private loadOptions(): ConstructorParameters<typeof RdbStreamParser>[0] {
    const server = this.server;
    return {
      limits: server.encodingLimits,
      databases: server.databases.length,
      // A replica keeps keys its master has not expired yet (rdbLoad, iAmMaster() false).
      dropExpiredBefore: null,
      verifyChecksum: server.config.getBool('rdbchecksum'),
    };
  }

  private takePayload(): void {
    const t = this.transfer!;
    if (t.parser !== null) {
      this.loadSome();
      return;
    }
    const data = this.input;
    this.input = Buffer.alloc(0);
    if (t.mark === null) {
      const want = t.size - t.read;
      const take = data.subarray(0, want);
      t.chunks.push(take);
      t.read += take.length;
      if (t.read < t.size) return;
      const rest = data.subarray(want);
      this.finishTransfer(Buffer.concat(t.chunks), rest);
      return;
    }
    t.chunks.push(data);
    t.read += data.length;
    // The payload ends when the last 40 bytes read are the mark (readSyncBulkPayload's
    // lastbytes); a master holds the stream until we acknowledge the payload.
    const tail = Buffer.concat([t.last, data.subarray(Math.max(0, data.length - 40))]);
    t.last = tail.subarray(Math.max(0, tail.length - 40));
    if (t.last.length < 40 || t.last.toString('latin1') !== t.mark) return;
    const whole = Buffer.concat(t.chunks);
    this.finishTransfer(whole.subarray(0, whole.length - 40), Buffer.alloc(0));
  }

  /**
   * Diskless load: parses what has arrived of the payload. With key-load-delay the
   * socket pauses for each batch's delay, so the master sees a slow reader (a test knob
   * of Redis, which sleeps in rdbLoad). At the RDB's end the EOF mark must follow.
   */
  private loadSome(force = false): void {
    const t = this.transfer!;
    const parser = t.parser!;
    if (t.throttled) return;
    if (t.idleRetry !== null) clearTimeout(t.idleRetry);
    t.idleRetry = null;
    const data = this.input;
    this.input = Buffer.alloc(0);
    if (t.mark === null) {
      const take = data.subarray(0, t.size - t.read);
      t.read += take.length;
      parser.push(take);
      this.input = data.subarray(take.length);
    } else {
      t.read += data.length;
      parser.push(data);
    }
    const delayUs = keyLoadDelayUs(this.server);
    // About 10 ms worth of key-load-delay per batch.
    const maxKeys = delayUs > 0 ? Math.max(1, Math.floor(10_000 / delayUs)) : Infinity;
    let contents: RdbContents;
    try {
      const keys = parser.parse(maxKeys, t.mark === null && t.read === t.size, force);
      if (!parser.done) {
        if (delayUs > 0 && keys > 0) this.throttle(t, (keys * delayUs) / 1000);
        else if (parser.waiting) {
          // The parser waits for twice the bytes of a cut entry; if the payload stops
          // short of that (its end), try again with what is there.
          t.idleRetry = setTimeout(() => this.transfer === t && this.loadSome(true), IDLE_RETRY_MS);
        }
        return;
      }
      contents = parser.contents;
    } catch (e) {
      this.loadFailed(`Failed trying to load the MASTER synchronization DB from socket: ${e instanceof RdbLoadError ? e.message : String(e)}`);
      return;
    }
    let rest = parser.rest();
    if (t.mark !== null) {
      // The mark may still be on its way: what came after the RDB stays in the parser.
      if (rest.length < 40) return;
      if (rest.toString('latin1', 0, 40) !== t.mark) {
        this.loadFailed('Replication stream EOF marker is broken');
        return;
      }
      rest = rest.subarray(40);
    } else {
      rest = Buffer.concat([rest, this.input]);
      this.input = Buffer.alloc(0);
    }
    this.transfer = null;
    this.loadingMode = 0;
    this.installLoaded(contents, rest, true);
  }

  /** Pauses reading the payload for `ms` (key-load-delay), then goes on. */
  private throttle(t: Transfer, ms: number): void {
    t.throttled = true;
    const socket = this.socket;
    socket?.pause();
    setTimeout(() => {
      if (this.transfer !== t || this.socket !== socket) return;
      t.throttled = false;
      this.lastIo = unixNow();
      socket?.resume();
      this.loadSome();
    }, ms);
  }

  /**
   * A diskless load is given up: the old dataset stays with swapdb (Redis discards the
   * temporary one); otherwise Redis had emptied it before loading (on-empty-db: empty).
   */
  private abandonDisklessLoad(message: string): void {
    const log = this.server.log;
    log.warning(message);
    if (this.server.config.get('repl-diskless-load') === 'swapdb') log.notice('MASTER <-> REPLICA sync: Discarding temporary DB in background');
    else for (const db of this.server.databases) db.flush();
  }

  private loadFailed(message: string): void {
    this.abandonDisklessLoad(message);
    this.fail('Loading the MASTER synchronization DB failed');
  }

  /** The disk form's load failed: Redis emptied the dataset before loading the file. */
  private diskLoadFailed(e: unknown): void {
    for (const db of this.server.databases) db.flush();
    const message = e instanceof RdbLoadError ? e.message : String(e);
    this.server.log.warning(`Failed trying to load the MASTER synchronization DB from disk, check server logs. (${message})`);
    this.fail('Loading the MASTER synchronization DB failed');
  }

  /** The payload is complete (disk form): load it, then apply the stream that follows. */
  private finishTransfer(rdb: Buffer, rest: Buffer): void {
    const log = this.server.log;
    this.transfer = null;
    this.loadingMode = 0;
    log.notice('MASTER <-> REPLICA sync: Flushing old data');
    log.notice('MASTER <-> REPLICA sync: Loading DB in memory');
    let contents: RdbContents;
    try {
      contents = readRdbFile(rdb, this.loadOptions());
    } catch (e) {
      this.diskLoadFailed(e);
      return;
    }
    this.installLoaded(contents, rest, false);
  }

  /** The master's dataset replaces ours; then the stream that follows is applied. */
  private installLoaded(contents: RdbContents, rest: Buffer, diskless: boolean): void {
    const server = this.server;
    const log = server.log;
    const sync = this.fullSync!;
    // replicationAttachToNewMaster: the cached history is of no use now, and our
    // replicas' history is gone: they must resync with the new one.
    if (this.replication.cachedMaster !== null) log.notice('Discarding previously cached master state.');
    this.replication.cachedMaster = null;
    this.replication.replicas.disconnectAll();
    const swapdb = diskless && server.config.get('repl-diskless-load') === 'swapdb';
    try {
      // All or nothing: a library that fails to compile leaves the dataset as it was.
      installContents(server, contents);
    } catch (e) {
      if (!diskless) this.diskLoadFailed(e);
      else this.loadFailed(`Failed trying to load the MASTER synchronization DB from socket: ${e instanceof RdbLoadError ? e.message : String(e)}`);
      return;
    }
    if (swapdb) {
      log.notice('MASTER <-> REPLICA sync: Swapping active DB with loaded DB');
      log.notice('MASTER <-> REPLICA sync: Discarding old DB in background');
    }
    server.dirty++;
    this.replication.adoptMasterHistory(sync.replId, sync.offset);
    log.notice('MASTER <-> REPLICA sync: Finished with success');
    this.fullSync = null;
    this.startStreaming(sync.offset);
    // The first ACK tells a diskless master that the payload was taken.
    this.sendAck();
    if (rest.length !== 0) this.feedStream(rest);
  }

  // -- The stream ---------------------------------------------------------------------------------

  /** replicationCreateMasterClient: from now on the master's commands are applied. */
  private startStreaming(offset: number, dbId = 0): void {
    const server = this.server;
    this.readOffset = offset;
    this.appliedOffset = offset;
    const sink: ReplySink = {
      // Replies to the master are dropped; an error means the datasets may diverge.
      send: (reply: Reply) => {
        if (reply instanceof ErrorReply) this.errorToMaster(reply);
      },
      close: () => this.drop(),
      sendRaw: () => {},
    };
    const client = new Client(server, sink, { addr: `${this.host}:${this.port}`, laddr: this.socket?.localAddress ? `${this.socket.localAddress}:${this.socket.localPort}` : '' });
    client.mustObey = true;
    client.authenticated = true;
    client.isMaster = true;
    client.onResume = () => this.apply();
    // A continued stream goes on in the database it was in (the cached master's).
    client.db = server.databases[dbId] ?? server.databases[0]!;
    this.client = client;
    server.clients.set(client.id, client);
    this.parser = new RespParser({ maxBulkLen: Number.MAX_SAFE_INTEGER, maxQueryBuffer: Number.MAX_SAFE_INTEGER }, () => true);
    this.state = 'connected';
    this.downSince = 0;
    if (this.replication.backlog === null) this.replication.createBacklog();
    // The replication offset and IDs: after a partial resync they are already ours.
    const input = this.input;
    this.input = Buffer.alloc(0);
    if (input.length !== 0) this.feedStream(input);
  }

  private feedStream(chunk: Buffer): void {
    this.readOffset += chunk.length;
    try {
      this.parser!.feed(chunk, this.queue as string[][]);
    } catch (e) {
      if (!(e instanceof ProtocolError)) throw e;
      // The commands complete before the bad bytes are applied, as a client's would be.
      this.apply();
      this.server.log.warning(`Protocol error from MASTER: ${e.message}`);
      this.drop();
      return;
    }
    this.apply();
  }

  /** Applies queued master commands in order (stops when one must wait, as for a script). */
  private apply(): void {
    const client = this.client;
    if (this.applying || client === null || client.closed) return;
    this.applying = true;
    const server = this.server;
    const replication = this.replication;
    // While the master's commands run (and the clients they unblock are served, as Redis's
    // current_client is the master then), logically expired keys still exist.
    for (const db of server.databases) db.expiredVisible = true;
    try {
      server.clock.now = Date.now();
      while (this.queueIndex < this.queue.length) {
        const args = this.queue[this.queueIndex]!;
        // Encoded first: a handler may rewrite its argv.
        const bytes = encodeCommand(args);
        if (processCommand(client, args) === DEFERRED) {
          server.deferClient(client);
          break;
        }
        this.queueIndex++;
        // After the command, as Redis updates reploff: a GETACK reports the offset before it.
        this.appliedOffset += bytes.length;
        // Proxied unchanged: our replicas share the top master's stream and offsets.
        replication.feedStream(bytes);
        if (client.closed) break;
      }
      if (this.queueIndex === this.queue.length) {
        this.queue.length = 0;
        this.queueIndex = 0;
      }
    } finally {
      for (const db of server.databases) db.expiredVisible = false;
      this.applying = false;
    }
  }

  /** afterErrorReply for the master client: logged, counted, never sent. */
  private errorToMaster(reply: ErrorReply): void {
    const command = this.client?.lastCommand ?? '<unknown>';
    logErrorOnLink(this.server, 'replica', 'master', reply, command);
    // propagation-error-behavior panic | panic-on-replicas, on a read-only replica: the
    // datasets diverged, and the operator asked to stop rather than serve them.
    const behavior = this.server.config.get('propagation-error-behavior');
    if (behavior !== 'ignore' && this.server.config.getBool('replica-read-only')) {
      this.server.log.warning(`Guru Meditation: This replica panicked sending an error to its master after processing the command '${command}'`);
      process.exit(1);
    }
  }

  /** replicationSendAck: REPLCONF ACK <reploff>. */
  sendAck(): void {
    if (this.socket === null || this.state !== 'connected') return;
    this.socket.write(Buffer.from(encodeCommand(['REPLCONF', 'ACK', String(this.appliedOffset)]), 'latin1'));
  }

  // -- Failures, timeouts, closing -------------------------------------------------------------------

  /** A handshake or transfer error: log it, close, retry from the cron. */
  private fail(message: string): void {
    if (this.closed) return;
    this.server.log.warning(message);
    this.resetSocket();
    this.state = 'connect';
    this.replication.failover.linkFailed();
  }

  /** The master client was killed (CLIENT KILL TYPE master) or the master misbehaved. */
  private drop(): void {
    this.socket?.destroy();
  }

  /** The connection ended at whatever stage it was. */
  private lost(): void {
    if (this.closed || this.socket === null) return;
    const wasConnected = this.state === 'connected';
    if (wasConnected) this.cacheMaster();
    const parser = this.transfer?.parser;
    if (parser) {
      // A diskless load cut by the connection: rdbLoad's short read, then the sync's failure.
      const log = this.server.log;
      log.warning('Short read or OOM loading DB. Unrecoverable error, aborting now.');
      log.warning(
        `Internal error in RDB reading offset ${parser.contents.length}, function at rdbLoad -> Unexpected EOF reading RDB file. ` +
          'Failure loading rdb format from socket, assuming connection error, resuming operation.',
      );
      this.abandonDisklessLoad('Failed trying to load the MASTER synchronization DB from socket: Connection reset by peer');
    }
    this.resetSocket();
    this.state = 'connect';
    if (wasConnected) {
      const log = this.server.log;
      log.notice('Connection with master lost.');
      log.notice('Caching the disconnected master state.');
    }
  }

  private resetSocket(): void {
    const socket = this.socket;
    this.socket = null;
    socket?.destroy();
    this.replyWaiter = null;
    this.transfer = null;
    this.loadingMode = 0;
    this.parser = null;
    this.queue.length = 0;
    this.queueIndex = 0;
    this.input = Buffer.alloc(0);
    if (this.downSince === 0) this.downSince = unixNow();
    const client = this.client;
    this.client = null;
    if (client !== null && !client.closed) {
      client.closed = true;
      this.server.removeClient(client);
    }
  }

  /** Stops for good (REPLICAOF NO ONE, another master, shutdown). */
  close(): void {
    if (this.closed) return;
    // A new master may continue our history.
    if (this.state === 'connected') this.cacheMaster();
    this.resetSocket();
    this.closed = true;
  }

  /** replicationCacheMaster: where we are, taken before the master client goes (its database too). */
  private cacheMaster(): void {
    this.replication.cachedMaster = { replId: this.replication.replId, offset: this.appliedOffset, db: this.client?.db.id ?? 0 };
  }

  /** replicationCron's replica part: reconnect, time out, acknowledge. */
  cron(now: number): void {
    if (this.closed) return;
    const timeout = this.server.config.getInt('repl-timeout');
    const log = this.server.log;
    switch (this.state) {
      case 'connect':
        log.notice(`Connecting to MASTER ${this.host}:${this.port}`);
        this.connect();
        return;
      case 'connecting':
      case 'handshake':
        if (now - this.connectStarted > timeout) this.fail('Timeout connecting to the MASTER...');
        return;
      case 'sync':
        if (now - this.lastIo > timeout) {
          this.fail('Timeout receiving bulk data from MASTER... If the problem persists try to set the \'repl-timeout\' parameter in redis.conf to a larger value.');
        }
        return;
      case 'connected':
        if (now - this.lastIo > timeout) {
          log.warning('MASTER timeout: no data nor PING received...');
          this.drop();
          return;
        }
        this.sendAck();
    }
  }
}
