/**
 * A client of the server: a network connection, or the fake client that scripts use.
 * Command handlers receive the Client and reach the server and database through it.
 */
import type { Database } from '../keyspace/database.js';
import type { Protocol } from '../protocol/resp-encoder.js';
import { ErrorReply, type Reply } from '../protocol/reply.js';
import type { Server } from './server.js';
import type { AclUser } from './acl.js';

export interface QueuedCommand {
  args: string[];
  /** Effective command flags at queue time (EXEC's OOM check reads them). */
  flags: number;
}

/** Per-client transaction state (MULTI ... EXEC). */
export interface MultiState {
  queue: QueuedCommand[];
  /** A command failed to queue (EXECABORT at EXEC). */
  aborted: boolean;
}

/** Where a client's replies go. */
export interface ReplySink {
  /** Sends a reply now (or queues it in the output buffer). */
  send(reply: Reply): void;
  /** Out-of-band push (pub/sub, invalidation) respecting the client's protocol. */
  close(afterReply: boolean): void;
  /** Bytes written as they are (a replica's RDB payload and command stream). */
  sendRaw?(bytes: string): void;
  /** The same for bytes already in a buffer (no string copy of a large payload). */
  sendRawBytes?(bytes: Uint8Array): void;
  /**
   * A replica's stream: to the socket now, behind anything queued before. The bytes
   * must stay unchanged until written (they are a view of the replication buffer).
   */
  writeStream?(bytes: Buffer): void;
  /** Bytes handed to the socket that the kernel has not taken yet. */
  queuedBytes?(): number;
  /** Replies not written out yet (Redis's clientHasPendingReplies). */
  hasPendingReplies?(): boolean;
}

/**
 * Takes over a connection's input: its bytes go here instead of to the command parser
 * (a Lua debugging session reads its debugger commands itself, as Redis's ldbRepl does).
 */
export interface InputHook {
  /** Bytes received (a latin1 string: one char per byte). */
  data(bytes: string): void;
  /** The connection closed. */
  closed(): void;
}

/**
 * afterErrorReply on a replication link: an error between master and replica means the
 * datasets may diverge; it is logged and counted (unexpected_error_replies), never sent.
 */
export function logErrorOnLink(server: Server, from: 'master' | 'replica', to: 'master' | 'replica', reply: ErrorReply, command: string): void {
  server.log.warning(`== CRITICAL == This ${from} is sending an error to its ${to}: '${reply.message.slice(0, 4096)}' after processing the command '${command}'`);
  server.stats.unexpectedErrorReplies++;
}

export class Client {
  readonly id: number;
  name = '';
  db: Database;
  protocol: Protocol = 2;
  authenticated: boolean;
  /** The ACL user authenticated as; null is the default user. */
  user: AclUser | null = null;
  multi: MultiState | null = null;
  /** Keys WATCHed: "dbid\0key" -> whether it existed as an expired-looking key at WATCH time. */
  watched: Map<string, { db: Database; key: string; expiredAtWatch: boolean }> | null = null;
  /** WATCH was broken by a write to a watched key. */
  dirtyCas = false;
  /** Pub/sub subscriptions. */
  channels: Set<string> | null = null;
  patterns: Set<string> | null = null;
  /** Shard channels (SSUBSCRIBE). */
  shardChannels: Set<string> | null = null;
  /** CLIENT REPLY mode. */
  replyMode: 'on' | 'off' | 'skip' | 'skip-next' = 'on';
  /** The client is a script's caller (scripting sets this on its fake client). */
  isScript = false;
  /**
   * Commands come from the AOF (or a master): Redis's mustObeyClient. They are the
   * propagated forms, accepted as they are (e.g. an exact trim with LIMIT).
   */
  mustObey = false;
  /** Connected through the unix socket (CLIENT LIST flags=U). */
  isUnixSocket = false;
  /** The client applying this replica's master stream (CLIENT LIST flags=M, TYPE master). */
  isMaster = false;
  /**
   * Where this client's writes are propagated: bit 1 the AOF, bit 2 the replicas
   * (a script's redis.set_repl; 3 for everyone else).
   */
  propagateTo = 3;
  /**
   * An attached replica. Its output limit is checked by replication, on what it holds
   * of the shared replication buffer, not on its connection's queue.
   */
  isReplica = false;
  /** Called when the connection's queued output has all been written (a replica's stream waits for it). */
  onDrain: (() => void) | null = null;
  /** ASKING was sent: the next command may use a slot being imported (CLIENT_ASKING). */
  clusterAsking = false;
  /** READONLY: a cluster replica serves this client's reads of its master's slots. */
  clusterReadonly = false;
  /**
   * c->slot: the hash slot of the keys of the command being run, as cluster routing found
   * it (-1: no keys, or not routed). A script without declared keys takes the slot of the
   * first key it touches (scriptVerifyClusterState).
   */
  clusterSlot = -1;
  /**
   * ASKING as it applied to the command being run (routing's copy: dispatch clears
   * clusterAsking before the command runs, Redis keeps CLIENT_ASKING until resetClient),
   * for the commands its script calls.
   */
  clusterAskedForCommand = false;
  /** MONITOR. */
  monitor = false;
  /** Close after the pending replies are written (QUIT, protocol errors). */
  closeAfterReply = false;
  closed = false;
  noEvict = false;
  /** CLIENT NO-TOUCH: lookups by this client's commands keep keys' access times. */
  noTouch = false;
  /** CLIENT SETINFO LIB-NAME / LIB-VER. */
  libName = '';
  libVer = '';
  readonly createdAt = Date.now();
  lastInteraction = Date.now();
  lastCommand = 'NULL';
  /** Blocked on keys / paused; set by the blocking machinery. */
  blocked: unknown = null;
  /** Pub/sub flags kept for CLIENT LIST "flags". */
  readonly addr: string;
  readonly laddr: string;
  readonly fd: number;
  /** Blocking commands are not allowed to block (inside EXEC and scripts). */
  denyBlocking = false;
  /** Called when a blocked or deferred client may continue processing its input. */
  onResume: () => void = () => {};
  /** Bytes in the query buffer (for CLIENT LIST qbuf), supplied by the connection. */
  queryBufferBytes: () => number = () => 0;
  /** Set while something else than the command parser reads this client's input. */
  inputHook: InputHook | null = null;

  constructor(
    readonly server: Server,
    readonly sink: ReplySink | null,
    opts: { addr?: string; laddr?: string; fd?: number } = {},
  ) {
    this.id = server.nextClientId();
    this.db = server.databases[0];
    this.authenticated = !server.requiresAuth();
    this.addr = opts.addr ?? '';
    this.laddr = opts.laddr ?? '';
    this.fd = opts.fd ?? -1;
  }

  /** clientSubscriptionsCount: channels and patterns (the count SUBSCRIBE replies show). */
  get subscriptionCount(): number {
    return (this.channels?.size ?? 0) + (this.patterns?.size ?? 0);
  }

  /** clientShardSubscriptionsCount: the count SSUBSCRIBE replies show. */
  get shardSubscriptionCount(): number {
    return this.shardChannels?.size ?? 0;
  }

  /**
   * CLIENT_PUBSUB: subscribed to something, shard channels included
   * (clientTotalPubSubSubscriptionCount > 0): the RESP2 subscribed context, the pubsub class.
   */
  get inPubSub(): boolean {
    return this.subscriptionCount + this.shardSubscriptionCount > 0;
  }

  /** Sends a reply, honouring CLIENT REPLY OFF/SKIP. */
  reply(reply: Reply): void {
    if (this.isReplica) this.replicaReplied(reply);
    else if (this.replyMode === 'on' || this.replyMode === 'skip-next') this.sink?.send(reply);
  }

  /**
   * A replica's link carries the stream only: a command of a replica that has a reply is
   * a rogue replica's, and Redis disconnects it (_addReplyToBufferOrList).
   */
  private replicaReplied(reply: Reply): void {
    if (this.closed) return;
    const command = this.lastCommand === 'NULL' ? '<unknown>' : this.lastCommand;
    if (reply instanceof ErrorReply) logErrorOnLink(this.server, 'master', 'replica', reply, command);
    this.server.log.warning(`Replica generated a reply to command '${command}', disconnecting it: id=${this.id} addr=${this.addr} laddr=${this.laddr} fd=${this.fd} name=${this.name}`);
    this.sink?.close(false);
  }

  /** After each command: CLIENT REPLY SKIP drops exactly the next command's reply. */
  commandProcessed(): void {
    if (this.replyMode === 'skip') this.replyMode = 'on';
    else if (this.replyMode === 'skip-next') this.replyMode = 'skip';
  }

  /** Sends a push message (pub/sub), whatever CLIENT REPLY says. */
  push(reply: Reply): void {
    this.sink?.send(reply);
  }
}
