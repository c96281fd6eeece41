/**
 * MIGRATE and RESTORE-ASKING, following Redis 7.0's cluster.c (migrateCommand,
 * migrateGetSocket, migrateCloseTimedoutSockets, restoreCommand).
 *
 * What MIGRATE sends on its connection to the target, pipelined in one write:
 *
 *   [AUTH password | AUTH username password]      when AUTH / AUTH2 was given
 *   [SELECT db]                                   when the link's last db differs
 *   RESTORE[-ASKING] key ttl payload [REPLACE]    one per key alive now; -ASKING in cluster mode
 *
 * then it reads one reply line per command sent. The replies MIGRATE gives:
 *
 *   +NOKEY                                         none of the keys exists
 *   +OK                                            every RESTORE succeeded
 *   -ERR Target instance replied with error: <e>   the first error of AUTH, SELECT or a RESTORE
 *   -IOERR error or timeout connecting to the client
 *   -IOERR error or timeout writing to target instance
 *   -IOERR error or timeout reading to target instance
 *
 * Keys whose RESTORE succeeded are deleted (unless COPY), and that is propagated as one
 * DEL of those keys, even when a later RESTORE failed. A socket error (not a timeout)
 * before the first RESTORE reply is retried once on a new connection.
 *
 * Connections are cached per "host:port" (at most 64, a random one dropped for a new one;
 * closed after more than 10 s unused), remembering the db last SELECTed.
 *
 * Unlike Redis, MIGRATE does not block the server. The client that sent it waits (its
 * next commands run after the reply) while other clients are served. So that nothing is
 * lost or doubled by what they do meanwhile:
 *  - the values and TTLs are taken when MIGRATE starts (the TTL sent is what remains when
 *    the RESTOREs are written; a key expired by then is skipped, as Redis skips it);
 *  - each key is watched (as WATCH does) from then on; at the end a key is deleted only
 *    when its RESTORE succeeded and nobody changed it;
 *  - a key changed meanwhile (and still here) is sent again with REPLACE, up to 3 more
 *    rounds: it ends on the target with its last value, deleted here, as if the change
 *    came before the MIGRATE. One still changing after that stays here (nothing is
 *    lost; the target holds an older value). The client's reply is the first round's,
 *    the one Redis gives. A key deleted or expired meanwhile is just gone here, as if
 *    that happened after the MIGRATE (the target has it, with its TTL).
 * Inside MULTI/EXEC and scripts, where a command cannot wait, MIGRATE does block the
 * server, as Redis does: the exchange runs in a child process that we wait for.
 */
import net from 'node:net';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ExchangeOutcome } from './migrate-exchange.js';
import type { Database } from '../keyspace/database.js';
import type { RedisValue } from '../keyspace/value.js';
import { ErrorReply, Errors, NO_REPLY, OK, SimpleReply, type Reply } from '../protocol/reply.js';
import { encodeDumpPayload } from '../persistence/rdb-writer.js';
import type { Client } from '../server/client.js';
import { NotifyClass, notify } from '../server/notifications.js';
import { encodeCommand, listeningPropagator } from '../server/propagation.js';
import type { Server } from '../server/server.js';
import { Slot } from '../server/slot.js';
import { is, parseInteger } from './args.js';
import type { Handler } from './registry.js';

const CACHE_ITEMS = 64;
const CACHE_TTL_MS = 10_000;

const NOKEY = new SimpleReply('NOKEY');
const KEYS_NEED_EMPTY_KEY = new ErrorReply('ERR When using MIGRATE KEYS option, the key argument must be set to the empty string');
const CONNECT_ERROR = 'IOERR error or timeout connecting to the client';

// ---------------------------------------------------------------------------------------
// The exchange with the target: one write, then reply lines

/** What came back from one pipelined write: the lines read, and why reading stopped early. */
interface Exchange {
  lines: string[];
  /** null: every expected line arrived. */
  failure: null | 'write' | 'read';
  /** The failure was a timeout (Redis's errno == ETIMEDOUT: no retry). */
  timedOut: boolean;
}

/** A cached connection to one target (migrateCachedSocket). */
class Link {
  lastDbId = -1;
  lastUse = Date.now();
  closed = false;
  /** Exchanges on one link run one after the other (replies come in order). */
  private tail: Promise<unknown> = Promise.resolve();
  private buffer = '';
  private wake: (() => void) | null = null;

  constructor(private readonly socket: net.Socket) {
    if (socket.destroyed || socket.readyState !== 'open') this.closed = true;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      this.buffer += chunk.toString('latin1');
      this.wake?.();
    });
    const end = (): void => {
      this.closed = true;
      this.wake?.();
    };
    socket.on('error', end);
    socket.on('close', end);
  }

  /** Runs `work` after the exchanges queued before it. */
  serialize<T>(work: () => Promise<T>): Promise<T> {
    const run = this.tail.then(work, work);
    this.tail = run.catch(() => undefined);
    return run;
  }

  /** Writes `bytes`, then reads `count` lines (each within `timeoutMs`). */
  async exchange(bytes: Buffer, count: number, timeoutMs: number): Promise<Exchange> {
    const lines: string[] = [];
    // Replies left over from an exchange that gave up belong to nobody.
    this.buffer = '';
    if (this.closed) return { lines, failure: 'write', timedOut: false };
    const written = await new Promise<'ok' | 'error' | 'timeout'>((resolve) => {
      const timer = setTimeout(() => resolve('timeout'), timeoutMs);
      this.socket.write(bytes, (e) => {
        clearTimeout(timer);
        resolve(e ? 'error' : 'ok');
      });
    });
    if (written !== 'ok') return { lines, failure: 'write', timedOut: written === 'timeout' };
    while (lines.length < count) {
      const line = await this.readLine(timeoutMs);
      if (typeof line !== 'string') return { lines, failure: 'read', timedOut: line.timedOut };
      lines.push(line);
    }
    return { lines, failure: null, timedOut: false };
  }

  /** connSyncReadLine: the next line without its CRLF, or why there is none. */
  private async readLine(timeoutMs: number): Promise<string | { timedOut: boolean }> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const nl = this.buffer.indexOf('\n');
      if (nl >= 0) {
        let line = this.buffer.slice(0, nl);
        this.buffer = this.buffer.slice(nl + 1);
        if (line.endsWith('\r')) line = line.slice(0, -1);
        return line;
      }
      if (this.closed) return { timedOut: false };
      const left = deadline - Date.now();
      if (left <= 0) return { timedOut: true };
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          this.wake = null;
          resolve();
        }, left);
        this.wake = () => {
          clearTimeout(timer);
          this.wake = null;
          resolve();
        };
      });
    }
  }

  close(): void {
    this.closed = true;
    this.socket.destroy();
  }
}

function unresolved(e: NodeJS.ErrnoException): boolean {
  return e.code === 'ENOTFOUND' || (e.code ?? '').startsWith('EAI_') || e.code === 'ERR_INVALID_ARG_TYPE';
}

/** connBlockingConnect: a socket within `timeoutMs` (perhaps already failed), or null. */
function connect(host: string, port: number, timeoutMs: number): Promise<net.Socket | null> {
  return new Promise((resolve) => {
    let socket: net.Socket;
    try {
      socket = net.connect({ host, port });
    } catch {
      resolve(null);
      return;
    }
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(null);
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      resolve(socket);
    });
    socket.once('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      // An unknown host fails the connect. A refused connect does not: Redis's
      // connBlockingConnect only waits for the socket to be writable, and the write fails.
      if (unresolved(e)) {
        socket.destroy();
        resolve(null);
      } else {
        resolve(socket);
      }
    });
  });
}

/** server.migrate_cached_sockets with its cron (migrateCloseTimedoutSockets). */
class LinkCache {
  private readonly links = new Map<string, Link>();
  private timer: NodeJS.Timeout | null = null;

  static readonly slot = new Slot('migrate-links', (server: Server) => {
    const cache = new LinkCache();
    server.shutdownHooks.push(() => cache.closeAll());
    return cache;
  });

  /** migrateGetSocket: the cached link (its use time refreshed) or a new one, or null. */
  async get(host: string, port: string, timeoutMs: number): Promise<Link | null> {
    const name = `${host}:${port}`;
    const cached = this.links.get(name);
    if (cached !== undefined && !cached.closed) {
      cached.lastUse = Date.now();
      return cached;
    }
    if (cached !== undefined) this.links.delete(name);
    const socket = await connect(host, Number.parseInt(port, 10), timeoutMs);
    if (socket === null) return null;
    // Another MIGRATE may have connected meanwhile: its link is the cached one.
    const raced = this.links.get(name);
    if (raced !== undefined && !raced.closed) {
      socket.destroy();
      raced.lastUse = Date.now();
      return raced;
    }
    if (this.links.size >= CACHE_ITEMS) {
      const names = [...this.links.keys()];
      this.drop(names[Math.floor(Math.random() * names.length)]!);
    }
    const link = new Link(socket);
    this.links.set(name, link);
    if (this.timer === null) {
      this.timer = setInterval(() => this.closeIdle(), 1000);
      this.timer.unref();
    }
    return link;
  }

  /** migrateCloseSocket, for `link` only if it is still the cached one. */
  close(host: string, port: string, link: Link): void {
    const name = `${host}:${port}`;
    if (this.links.get(name) === link) this.drop(name);
    else link.close();
  }

  private drop(name: string): void {
    this.links.get(name)?.close();
    this.links.delete(name);
    if (this.links.size === 0 && this.timer !== null) {
      clearInterval(this.timer);
      this.timer = null;
    }
  }

  private closeIdle(): void {
    const now = Date.now();
    for (const [name, link] of [...this.links]) if (link.closed || now - link.lastUse > CACHE_TTL_MS) this.drop(name);
  }

  get size(): number {
    return this.links.size;
  }

  closeAll(): void {
    for (const name of [...this.links.keys()]) this.drop(name);
  }
}

/** The child program that does the exchange synchronously (migrate-exchange.ts). */
const EXCHANGE_PROGRAM = fileURLToPath(new URL('./migrate-exchange.js', import.meta.url));

/**
 * The exchange done synchronously (MULTI/EXEC, scripts): a child process connects,
 * writes and reads the lines, and we wait for it as Redis's blocking calls wait.
 */
function syncExchange(host: string, port: string, bytes: Buffer, count: number, timeoutMs: number): Exchange | 'connect' {
  const result = spawnSync(process.execPath, [EXCHANGE_PROGRAM, host, port, String(count), String(timeoutMs)], {
    input: bytes,
    timeout: timeoutMs * (count + 2) + 5000,
    maxBuffer: 64 * 1024 * 1024,
  });
  let parsed: ExchangeOutcome;
  try {
    parsed = JSON.parse(result.stdout.toString('utf8')) as ExchangeOutcome;
  } catch {
    return { lines: [], failure: 'read', timedOut: true };
  }
  if (parsed.stage === 'connect') return 'connect';
  const lines = parsed.lines ?? [];
  if (parsed.stage === undefined) return { lines, failure: null, timedOut: false };
  return { lines, failure: parsed.stage === 'write' ? 'write' : 'read', timedOut: parsed.timedOut === true };
}

/** INFO's migrate_cached_sockets. */
export function migrateCachedSockets(server: Server): number {
  return server.existingSlot(LinkCache.slot)?.size ?? 0;
}

// ---------------------------------------------------------------------------------------
// MIGRATE

interface Request {
  host: string;
  port: string;
  dbId: number;
  timeoutMs: number;
  copy: boolean;
  replace: boolean;
  username: string | null;
  password: string | null;
}

/** One key as MIGRATE took it: its value and expiry then, and a watcher since. */
interface TakenKey {
  key: string;
  value: RedisValue;
  expireAt: number | undefined;
  watcher: Client;
}

/** The pipelined commands and how many reply lines they give. */
function buildCommands(server: Server, req: Request, keys: TakenKey[], select: boolean): { bytes: Buffer; sent: TakenKey[] } {
  let out = '';
  if (req.password !== null) out += encodeCommand(req.username !== null ? ['AUTH', req.username, req.password] : ['AUTH', req.password]);
  if (select) out += encodeCommand(['SELECT', String(req.dbId)]);
  const restore = server.cluster !== null ? 'RESTORE-ASKING' : 'RESTORE';
  const limits = { limits: server.encodingLimits, compression: server.config.getBool('rdbcompression') };
  const sent: TakenKey[] = [];
  const now = Date.now();
  for (const taken of keys) {
    let ttl = 0;
    if (taken.expireAt !== undefined) {
      ttl = taken.expireAt - now;
      if (ttl < 0) continue;
      if (ttl < 1) ttl = 1;
    }
    sent.push(taken);
    const payload = encodeDumpPayload(taken.value, limits).toString('latin1');
    const argv = [restore, taken.key, String(ttl), payload];
    if (req.replace) argv.push('REPLACE');
    out += encodeCommand(argv);
  }
  return { bytes: Buffer.from(out, 'latin1'), sent };
}

/** The outcome of one attempt: a reply, or "try again on a new connection". */
type Attempt = Reply | 'retry';

/**
 * The replies of one attempt, as migrateCommand reads them: deletes what was restored,
 * propagates the DEL and gives the reply. `exchange` holds the lines read.
 */
function settle(
  client: Client,
  db: Database,
  req: Request,
  sent: TakenKey[],
  select: boolean,
  exchange: Exchange,
  mayRetry: boolean,
  link: { lastDbId: number; close(): void },
): Attempt {
  const lines = exchange.lines;
  let next = 0;
  const authLine = req.password !== null ? lines[next++] : '';
  const selectLine = select ? lines[next++] : '';
  if (authLine === undefined || selectLine === undefined) return socketError(exchange, mayRetry, link);
  const authFailed = req.password !== null && authLine.startsWith('-');
  const selectFailed = select && selectLine.startsWith('-');
  let targetError: ErrorReply | null = null;
  let socketFailed = false;
  const deleted: string[] = [];
  let j = 0;
  for (; j < sent.length; j++) {
    const line = lines[next + j];
    if (line === undefined) {
      socketFailed = true;
      break;
    }
    if (authFailed || selectFailed || line.startsWith('-')) {
      if (targetError === null) {
        link.lastDbId = -1;
        const text = authFailed ? authLine : selectFailed ? selectLine : line;
        targetError = new ErrorReply(`ERR Target instance replied with error: ${text.slice(1)}`);
      }
    } else if (!req.copy) {
      const taken = sent[j]!;
      // Deleted only when nobody changed it since MIGRATE took it (see the header).
      if (!taken.watcher.dirtyCas && db.peek(taken.key) === taken.value && db.delete(taken.key)) {
        notify(client.server, db.id, NotifyClass.GENERIC, 'del', taken.key);
        deleted.push(taken.key);
      }
    }
  }
  if (targetError === null && socketFailed && j === 0 && mayRetry && !exchange.timedOut) {
    return socketError(exchange, mayRetry, link);
  }
  if (socketFailed) link.close();
  if (deleted.length !== 0) listeningPropagator(client.server)?.propagate(db.id, ['DEL', ...deleted]);
  if (targetError !== null) return targetError;
  if (socketFailed) return new ErrorReply('IOERR error or timeout reading to target instance');
  link.lastDbId = req.dbId;
  return OK;
}

/** migrateCommand's socket_err: close, then retry once unless it was a timeout. */
function socketError(exchange: Exchange, mayRetry: boolean, link: { close(): void }): Attempt {
  link.close();
  if (!exchange.timedOut && mayRetry) return 'retry';
  return new ErrorReply(`IOERR error or timeout ${exchange.failure === 'write' ? 'writing' : 'reading'} to target instance`);
}

/** Rounds that send again the keys changed during the previous one (then they stay here). */
const CATCH_UP_ROUNDS = 3;

/**
 * The asynchronous MIGRATE: the client waits, the server goes on. A key restored but
 * changed meanwhile (and still here) is sent again, REPLACE-ing the copy this MIGRATE
 * made: it ends on the target with its last value, as if the change came first.
 */
async function migrateAsync(client: Client, db: Database, req: Request, keys: TakenKey[]): Promise<Reply> {
  const reply = await migrateRound(client, db, req, keys);
  if (reply !== OK || req.copy) return reply;
  let changed = keys;
  for (let round = 0; round < CATCH_UP_ROUNDS; round++) {
    changed = changed.filter((k) => k.watcher.dirtyCas && db.peek(k.key) !== undefined && !db.isLogicallyExpired(k.key));
    if (changed.length === 0) break;
    const again: TakenKey[] = [];
    for (const k of changed) {
      client.server.watches.unwatchAll(k.watcher);
      const value = db.peek(k.key)!;
      again.push({ key: k.key, value, expireAt: db.getExpire(k.key), watcher: watcherOf(client.server, db, k.key) });
    }
    keys.push(...again); // unwatched when the MIGRATE ends
    // Nothing more to report: the client's reply is the first round's.
    if ((await migrateRound(client, db, { ...req, replace: true }, again)) !== OK) break;
    changed = again;
  }
  return reply;
}

async function migrateRound(client: Client, db: Database, req: Request, keys: TakenKey[]): Promise<Reply> {
  const cache = client.server.slot(LinkCache.slot);
  for (let mayRetry = true; ; mayRetry = false) {
    const link = await cache.get(req.host, req.port, req.timeoutMs);
    if (link === null) return new ErrorReply(CONNECT_ERROR);
    const attempt = await link.serialize(async () => {
      const select = link.lastDbId !== req.dbId;
      const { bytes, sent } = buildCommands(client.server, req, keys, select);
      const count = (req.password !== null ? 1 : 0) + (select ? 1 : 0) + sent.length;
      const exchange = await link.exchange(bytes, count, req.timeoutMs);
      const handle = { get lastDbId() { return link.lastDbId; }, set lastDbId(v: number) { link.lastDbId = v; }, close: () => cache.close(req.host, req.port, link) };
      return settle(client, db, req, sent, select, exchange, mayRetry, handle);
    });
    if (attempt !== 'retry') return attempt;
  }
}

/** MIGRATE where the client cannot wait (MULTI/EXEC, scripts): blocks, as Redis does. */
function migrateSync(client: Client, db: Database, req: Request, keys: TakenKey[]): Reply {
  for (let mayRetry = true; ; mayRetry = false) {
    const select = true; // no cached link: the db is always selected
    const { bytes, sent } = buildCommands(client.server, req, keys, select);
    const count = (req.password !== null ? 1 : 0) + 1 + sent.length;
    const exchange = syncExchange(req.host, req.port, bytes, count, req.timeoutMs);
    if (exchange === 'connect') return new ErrorReply(CONNECT_ERROR);
    const link = { lastDbId: -1, close: () => undefined };
    const attempt = settle(client, db, req, sent, select, exchange, mayRetry, link);
    if (attempt !== 'retry') return attempt;
  }
}

/** A stand-in client that only collects WATCH's "changed" mark for one key. */
function watcherOf(server: Server, db: Database, key: string): Client {
  const watcher = { watched: null, dirtyCas: false } as unknown as Client;
  server.watches.watch(watcher, db, key);
  return watcher;
}

/** MIGRATE host port key|"" destination-db timeout [COPY] [REPLACE] [AUTH pw] [AUTH2 user pw] [KEYS key ...] */
const migrate: Handler = (client, args) => {
  let copy = false;
  let replace = false;
  let username: string | null = null;
  let password: string | null = null;
  let firstKey = 3;
  let numKeys = 1;
  for (let j = 6; j < args.length; j++) {
    const more = args.length - 1 - j;
    const option = args[j]!;
    if (is(option, 'copy')) {
      copy = true;
    } else if (is(option, 'replace')) {
      replace = true;
    } else if (is(option, 'auth')) {
      if (more === 0) return Errors.syntax;
      password = args[++j]!;
    } else if (is(option, 'auth2')) {
      if (more < 2) return Errors.syntax;
      username = args[++j]!;
      password = args[++j]!;
    } else if (is(option, 'keys')) {
      if (args[3]!.length !== 0) return KEYS_NEED_EMPTY_KEY;
      firstKey = j + 1;
      numKeys = args.length - j - 1;
      break;
    } else {
      return Errors.syntax;
    }
  }
  let timeout = parseInteger(args[5]!);
  if (timeout === null) return Errors.notInteger;
  const dbId = parseInteger(args[4]!);
  if (dbId === null) return Errors.notInteger;
  if (timeout <= 0) timeout = 1000;

  const server = client.server;
  const db = client.db;
  const keys: TakenKey[] = [];
  for (let j = 0; j < numKeys; j++) {
    const key = args[firstKey + j]!;
    const value = db.lookupRead(key);
    if (value === undefined) continue;
    keys.push({ key, value, expireAt: db.getExpire(key), watcher: watcherOf(server, db, key) });
  }
  if (keys.length === 0) return NOKEY;
  const req: Request = { host: args[1]!, port: args[2]!, dbId, timeoutMs: timeout, copy, replace, username, password };
  const unwatch = (): void => {
    for (const k of keys) server.watches.unwatchAll(k.watcher);
  };

  if (client.denyBlocking || client.multi !== null || client.isScript) {
    try {
      return migrateSync(client, db, req, keys);
    } finally {
      unwatch();
    }
  }

  // The client waits for the reply; its next commands run after it (as after a blocking pop).
  const waiting = 'migrate';
  client.blocked = waiting;
  const finish = (reply: Reply): void => {
    unwatch();
    if (client.blocked === waiting) client.blocked = null;
    if (reply instanceof ErrorReply) {
      server.stats.command('migrate').failedCalls++;
      if (!reply.statsCounted) server.stats.error(reply.code);
    }
    client.reply(reply);
    setImmediate(() => {
      if (!client.closed && client.blocked === null) client.onResume();
    });
  };
  migrateAsync(client, db, req, keys).then(finish, (e: unknown) => {
    server.log.warning(`Internal error in 'migrate': ${(e as Error).stack ?? String(e)}`);
    finish(new ErrorReply("ERR internal error in 'migrate' command"));
  });
  return NO_REPLY;
};

export const migrateCommands: Record<string, Handler> = {
  migrate,
};
