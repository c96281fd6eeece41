/**
 * Command propagation, as Redis 7.0's call() / alsoPropagate() / propagatePendingCommands():
 * every change to the dataset is described as commands for the AOF and the replicas.
 *
 * - A command that changed something (server.dirty moved, expiries aside) is queued in
 *   the form Redis propagates it (see propagatedForm: relative TTLs become PXAT /
 *   PEXPIREAT, INCRBYFLOAT becomes SET ... KEEPTTL, SPOP becomes SREM...).
 * - A key deleted because its TTL passed queues DEL (UNLINK with lazyfree-lazy-expire)
 *   at the moment it happens, so it precedes the command that found it expired.
 * - EXEC and scripts are not propagated themselves: the commands they ran are.
 * - When the top-level call() ends, the queue is flushed; more than one command is
 *   wrapped in MULTI ... EXEC (a command touching arbitrary keys, such as KEYS
 *   expiring several keys, is not), with SELECT before it when the database changes.
 * - Outside any call (active expiry, serving a blocked client) each command is
 *   propagated at once, unwrapped, as Redis's active expire cycle does.
 *
 * The Propagator is the server's CommandObserver; persistence plugs into it for the
 * AOF and for keeping background saves point-in-time.
 */
import { CmdFlag } from '../commands/spec.js';
import type { CommandEntry } from '../commands/registry.js';
import { extractKeys } from '../commands/table/keys.js';
import type { Database } from '../keyspace/database.js';
import type { RedisSet } from '../keyspace/types/set.js';
import { ErrorReply, NO_REPLY, SetReply, type Reply } from '../protocol/reply.js';
import type { Client } from './client.js';
import type { CommandObserver, Server } from './server.js';
import { Slot } from './slot.js';

export const PROPAGATE_AOF = 1;
export const PROPAGATE_REPL = 2;
const PROPAGATE_ALL = PROPAGATE_AOF | PROPAGATE_REPL;

/** What persistence supplies: the AOF sink and the hooks of a background save. */
export interface PersistenceHooks {
  /** Appends one command to the AOF when it is on. */
  appendToAof(dbId: number, argv: readonly string[]): void;
  /** Whether the AOF is on (else propagation to it is skipped). */
  readonly aofEnabled: boolean;
  /** Before a WRITE command runs: a background save preserves the keys it will change. */
  beforeWrite(client: Client, entry: CommandEntry, args: string[]): void;
  /** After FLUSHALL: a running save is dropped, save points save the empty dataset. */
  afterFlushAll(): void;
  /** Before a blocked client is served (its keys are about to change). */
  beforeBlockedServe(client: Client, db: Database, args: string[]): void;
}

/** One command waiting for the end of the top-level call. */
interface PendingCommand {
  dbId: number;
  argv: string[];
  target: number;
}

/**
 * Commands whose own argv is never propagated: their effects are (XREADGROUP describes
 * its own with alsoPropagate, as preventCommandPropagation + streamPropagateXCLAIM do;
 * XCLAIM / XAUTOCLAIM as normalized XCLAIMs; XADD and XTRIM their rewritten argv).
 */
const NEVER_PROPAGATED = new Set(['exec', 'eval', 'evalsha', 'eval_ro', 'evalsha_ro', 'fcall', 'fcall_ro', 'xreadgroup', 'xclaim', 'xautoclaim', 'xadd', 'xtrim']);
/** Propagated to replicas whatever they changed (forceCommandPropagation(c, PROPAGATE_REPL)). */
const REPLICATION_ONLY = new Set(['publish', 'spublish']);
const BLOCKING_POPS = new Set(['blpop', 'brpop', 'blmove', 'brpoplpush', 'bzpopmin', 'bzpopmax', 'blmpop', 'bzmpop']);

export function isBlockingPop(name: string): boolean {
  return BLOCKING_POPS.has(name);
}

/** RESP array of bulk strings: how a command is written to the AOF and the replicas. */
export function encodeCommand(argv: readonly string[]): string {
  let out = `*${argv.length}\r\n`;
  for (const a of argv) out += `$${a.length}\r\n${a}\r\n`;
  return out;
}

/**
 * For commands that describe their own effects (Redis's alsoPropagate from inside a
 * command): the propagator when the AOF or a replica listens, else null, so that the
 * caller builds no argv for nobody.
 */
export function listeningPropagator(server: Server): Propagator | null {
  const p = server.existingSlot(Propagator.slot);
  return p !== undefined && p.listening ? p : null;
}

// ---------------------------------------------------------------------------------------
// The propagator

export class Propagator implements CommandObserver {
  persistence: PersistenceHooks | null = null;
  private pending: PendingCommand[] = [];
  /** Keys expired so far, and the count when each observed command started. */
  private expiredCount = 0;
  private readonly expiredAtStart: number[] = [];
  /** The argv of blocking pops waiting to be served (propagated when served). */
  private readonly blockedArgs = new WeakMap<Client, string[]>();

  private constructor(private readonly server: Server) {}

  /** The server's propagator, installed as its command observer on first use. */
  static readonly slot = new Slot('propagation', (server: Server) => {
    const propagator = new Propagator(server);
    server.commandObserver = propagator;
    return propagator;
  });

  static of(server: Server): Propagator {
    return server.slot(Propagator.slot);
  }

  /** Anything listens: the AOF or replicas (else nothing is worth computing). */
  get listening(): boolean {
    return this.server.replication.streaming || (this.persistence !== null && this.persistence.aofEnabled);
  }

  /** alsoPropagate: queues a command; outside a call it goes out at once. */
  propagate(dbId: number, argv: string[], target = PROPAGATE_ALL): void {
    this.pending.push({ dbId, argv, target });
    if (this.server.callDepth === 0) this.flush(null);
  }

  /** propagatePendingCommands: MULTI ... EXEC around more than one command. */
  flush(entry: CommandEntry | null): void {
    const ops = this.pending;
    if (ops.length === 0) return;
    this.pending = [];
    const transaction = ops.length > 1 && !(entry !== null && entry.flags & CmdFlag.TOUCHES_ARBITRARY_KEYS);
    if (transaction) this.propagateNow(ops[0]!.dbId, ['MULTI'], PROPAGATE_ALL);
    for (const op of ops) this.propagateNow(op.dbId, op.argv, op.target);
    // The last command's database, so that no SELECT comes before EXEC.
    if (transaction) this.propagateNow(ops[ops.length - 1]!.dbId, ['EXEC'], PROPAGATE_ALL);
  }

  private propagateNow(dbId: number, argv: readonly string[], target: number): void {
    if (target & PROPAGATE_AOF && this.persistence !== null && this.persistence.aofEnabled) {
      this.persistence.appendToAof(dbId, argv);
    }
    if (target & PROPAGATE_REPL) this.server.replication.feed(dbId, argv);
  }

  // -- CommandObserver -------------------------------------------------------------------

  beforeWrite(client: Client, entry: CommandEntry, args: string[]): void {
    this.expiredAtStart.push(this.expiredCount);
    // lookupKeyWrite on a writable replica: a write deletes the expired keys it touches.
    if (entry.flags & CmdFlag.WRITE && this.server.replication.master !== null && !client.mustObey) deleteExpiredKeys(client, entry, args);
    if (this.persistence !== null && entry.flags & CmdFlag.WRITE) this.persistence.beforeWrite(client, entry, args);
  }

  afterWrite(client: Client, entry: CommandEntry, args: string[], reply: Reply, dirtyBefore: number): void {
    // Expired keys count as changes in lunakv's dirty counter, not as the command's.
    const expired = this.expiredCount - (this.expiredAtStart.pop() ?? this.expiredCount);
    const name = entry.spec.fullName;
    if (reply === NO_REPLY) {
      if (BLOCKING_POPS.has(name)) this.blockedArgs.set(client, args);
      return;
    }
    if (reply instanceof ErrorReply || NEVER_PROPAGATED.has(name) || name.startsWith('script|')) return;
    let changed = this.server.dirty - dirtyBefore - expired > 0;
    if (name === 'flushall') {
      this.persistence?.afterFlushAll();
      changed = true; // flushallCommand always ends with dirty++
    }
    // forceCommandPropagation: FLUSHDB of an empty database is propagated too.
    if (name === 'flushdb') changed = true;
    const target = PROPAGATE_ALL & client.propagateTo;
    if (target === 0) return;
    if (REPLICATION_ONLY.has(name)) {
      // In a cluster the bus carries PUBLISH to every node, replicas included.
      if (this.server.cluster !== null) return;
      if (this.server.replication.streaming && target & PROPAGATE_REPL) this.pending.push({ dbId: client.db.id, argv: args, target: PROPAGATE_REPL });
      return;
    }
    // SPOP and served pops count as changes whatever dirty says (a timed-out pop does not).
    const popped = BLOCKING_POPS.has(name) && (Array.isArray(reply) || typeof reply === 'string');
    if (!changed && name !== 'spop' && !popped) return;
    // A writable replica's own writes: keys left with a TTL are the ones it expires itself.
    if (this.server.replication.master !== null && !client.mustObey) this.rememberOwnExpires(client, entry, args);
    if (!this.listening) return;
    const dbId = client.db.id;
    const forms = propagatedForm(this.server, name, args, reply, client.db);
    if (forms === null) this.pending.push({ dbId, argv: args, target });
    else for (const argv of forms) this.pending.push({ dbId, argv, target });
  }

  private rememberOwnExpires(client: Client, entry: CommandEntry, args: string[]): void {
    const db = client.db;
    if (db.expires.size === 0) return;
    for (const ref of extractKeys(entry.spec, args)) {
      const key = args[ref.pos]!;
      if (db.getExpire(key) !== undefined) this.server.replication.rememberOwnKeyWithExpire?.(db.id, key);
    }
  }

  afterCall(entry: CommandEntry | null): void {
    if (this.pending.length !== 0) this.flush(entry);
  }

  keyExpired(db: Database, key: string): void {
    this.expiredCount++;
    if (!this.listening) return;
    this.propagate(db.id, [this.server.config.getBool('lazyfree-lazy-expire') ? 'UNLINK' : 'DEL', key]);
  }

  beforeBlockedServe(client: Client, db: Database): void {
    const args = this.blockedArgs.get(client);
    if (args !== undefined && this.persistence !== null) this.persistence.beforeBlockedServe(client, db, args);
  }

  afterBlockedServe(client: Client, db: Database, reply: Reply): void {
    const args = this.blockedArgs.get(client);
    if (args === undefined) return;
    this.blockedArgs.delete(client);
    if (!this.listening) return;
    for (const argv of servedPopForm(args[0]!.toLowerCase(), args, reply)) this.propagate(db.id, argv);
  }
}

/** The keys of a command whose TTL passed, removed (a replica keeps them for reads). */
function deleteExpiredKeys(client: Client, entry: CommandEntry, args: string[]): void {
  const db = client.db;
  if (db.expires.size === 0) return;
  for (const ref of extractKeys(entry.spec, args)) {
    const key = args[ref.pos]!;
    if (db.isLogicallyExpired(key)) {
      db.takeEntry(key);
      db.modified(key);
    }
  }
}

// ---------------------------------------------------------------------------------------
// The argv Redis 7.0 propagates for a command that changed something

/**
 * The commands propagated for `args` (which ran and changed something), or null to
 * propagate it as it is. `db` is the database the command ran in.
 */
export function propagatedForm(server: Server, name: string, args: string[], reply: Reply, db: Database): string[][] | null {
  switch (name) {
    case 'set':
      return setForm(db, args);
    case 'setex':
    case 'psetex':
      return [withPxat(db, args[1]!, args[3]!)];
    case 'getset':
      return [['SET', args[1]!, args[2]!]];
    case 'getdel':
      return [[server.config.getBool('lazyfree-lazy-user-del') ? 'UNLINK' : 'DEL', args[1]!]];
    case 'getex': {
      const key = args[1]!;
      if (db.data.get(key) === undefined) return [[lazyExpireDel(server), key]];
      const when = db.getExpire(key);
      return [when === undefined ? ['PERSIST', key] : ['PEXPIREAT', key, String(when)]];
    }
    case 'incrbyfloat':
      return [['SET', args[1]!, String(reply), 'KEEPTTL']];
    case 'hincrbyfloat':
      return [['HSET', args[1]!, args[2]!, String(reply)]];
    case 'expire':
    case 'pexpire':
    case 'expireat':
    case 'pexpireat': {
      const key = args[1]!;
      const when = db.getExpire(key);
      if (db.data.get(key) === undefined || when === undefined) return [[lazyExpireDel(server), key]];
      // Only PEXPIREAT keeps its argument: the others become an absolute time in ms.
      if (name === 'pexpireat') return null;
      const argv = args.slice();
      argv[0] = 'PEXPIREAT';
      argv[2] = String(when);
      return [argv];
    }
    case 'spop':
      return spopForm(args, reply, db);
    case 'migrate':
      // The handler propagated DEL of the keys it moved itself.
      return [];
    case 'restore':
    case 'restore-asking': {
      const key = args[1]!;
      if (db.data.get(key) === undefined) return [['DEL', key]];
      const absolute = args.slice(4).some((a) => a.toLowerCase() === 'absttl');
      if (args[2] === '0' || absolute) return null;
      const when = db.getExpire(key);
      if (when === undefined) return null;
      const argv = args.slice();
      argv[2] = String(when);
      argv.push('ABSTTL');
      return [argv];
    }
    case 'lmpop':
    case 'zmpop':
    case 'blmpop':
    case 'bzmpop':
      return [mpopForm(name, args, reply)];
    case 'blpop':
    case 'brpop':
      return [[name === 'blpop' ? 'LPOP' : 'RPOP', String((reply as Reply[])[0])]];
    case 'bzpopmin':
    case 'bzpopmax':
      return [[name === 'bzpopmin' ? 'ZPOPMIN' : 'ZPOPMAX', String((reply as Reply[])[0])]];
    case 'blmove':
      return [['LMOVE', args[1]!, args[2]!, args[3]!, args[4]!]];
    case 'brpoplpush':
      return [['RPOPLPUSH', args[1]!, args[2]!]];
    default:
      return null;
  }
}

function lazyExpireDel(server: Server): string {
  return server.config.getBool('lazyfree-lazy-expire') ? 'UNLINK' : 'DEL';
}

/** SET key value PXAT ms. */
function withPxat(db: Database, key: string, value: string): string[] {
  return ['SET', key, value, 'PXAT', String(db.getExpire(key) ?? 0)];
}

const SET_EXPIRE_OPTIONS = new Set(['ex', 'px', 'exat', 'pxat']);

/** SET with an expiry becomes SET key value PXAT ms; else GET is dropped. */
function setForm(db: Database, args: string[]): string[][] | null {
  let hasGet = false;
  for (let i = 3; i < args.length; i++) {
    const option = args[i]!.toLowerCase();
    if (SET_EXPIRE_OPTIONS.has(option)) return [withPxat(db, args[1]!, args[2]!)];
    if (option === 'get') hasGet = true;
  }
  if (!hasGet) return null;
  return [args.filter((a, i) => i < 3 || a.length !== 3 || a.toLowerCase() !== 'get')];
}

/** SPOP: one SREM per member, or DEL when the whole set was popped. */
function spopForm(args: string[], reply: Reply, db: Database): string[][] {
  const key = args[1]!;
  const items = reply instanceof SetReply ? reply.items : reply;
  const members = Array.isArray(items) ? (items as string[]) : typeof items === 'string' ? [items] : [];
  if (members.length === 0) return [];
  if (args.length > 2 && (db.data.get(key) as RedisSet | undefined) === undefined) return [['DEL', key]];
  return members.map((m) => ['SREM', key, m]);
}

/** [B]LMPOP / [B]ZMPOP: the plain pop with the number popped. */
function mpopForm(name: string, args: string[], reply: Reply): string[] {
  const items = reply as Reply[];
  const first = name[0] === 'b' ? 3 : 2;
  const numkeys = Number(args[first - 1]);
  const where = args[first + numkeys]!.toLowerCase();
  const count = String((items[1] as unknown[]).length);
  const key = String(items[0]);
  if (name.endsWith('lmpop')) return [where === 'left' ? 'LPOP' : 'RPOP', key, count];
  return [where === 'min' ? 'ZPOPMIN' : 'ZPOPMAX', key, count];
}

/** A blocking pop served after blocking, as serveClientBlockedOnList & co propagate it. */
function servedPopForm(name: string, args: string[], reply: Reply): string[][] {
  if (!Array.isArray(reply) && typeof reply !== 'string') return [];
  switch (name) {
    case 'blpop':
    case 'brpop':
      return [[name === 'blpop' ? 'LPOP' : 'RPOP', String((reply as Reply[])[0])]];
    case 'bzpopmin':
    case 'bzpopmax':
      return [[name === 'bzpopmin' ? 'ZPOPMIN' : 'ZPOPMAX', String((reply as Reply[])[0])]];
    case 'blmpop':
    case 'bzmpop':
      return [mpopForm(name, args, reply)];
    case 'blmove':
      return [['LMOVE', args[1]!, args[2]!, args[3]!.toLowerCase(), args[4]!.toLowerCase()]];
    case 'brpoplpush':
      return [['RPOPLPUSH', args[1]!, args[2]!]];
  }
  return [];
}
