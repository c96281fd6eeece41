/**
 * Which node serves a command (cluster.c's getNodeByQuery and clusterRedirectClient).
 * The keys come from the command specs (extractKeys); a transaction is routed as a whole
 * at EXEC, each queued command having been routed alone when it was queued.
 *
 * Errors, as Redis sends them:
 *   -CROSSSLOT Keys in request don't hash to the same slot
 *   -TRYAGAIN Multiple keys request during rehashing of slot
 *   -CLUSTERDOWN The cluster is down
 *   -CLUSTERDOWN The cluster is down and only accepts read commands
 *   -CLUSTERDOWN Hash slot not served
 *   -MOVED <slot> <endpoint>:<port>     -ASK <slot> <endpoint>:<port>
 */
import { ErrorReply } from '../protocol/reply.js';
import { CmdFlag, type CommandSpec } from '../commands/spec.js';
import { extractKeys } from '../commands/table/keys.js';
import type { CommandEntry } from '../commands/registry.js';
import type { Client } from '../server/client.js';
import type { ScriptKeyAccess } from '../server/server.js';
import { resolveCommand } from '../server/dispatch.js';
import type { ClusterNode } from './node.js';
import { keyHashSlot } from './key-slot.js';

/** What routing reads of the cluster state. */
export interface RoutingTable {
  readonly myself: ClusterNode;
  readonly slots: readonly (ClusterNode | null)[];
  readonly migratingTo: readonly (ClusterNode | null)[];
  readonly importingFrom: readonly (ClusterNode | null)[];
  /** 0 ok, 1 fail. */
  readonly state: number;
  readonly allowReadsWhenDown: boolean;
  readonly allowPubsubshardWhenDown: boolean;
  keyExists(key: string): boolean;
  preferredEndpoint(node: ClusterNode): string | null;
}

export const CROSSSLOT = new ErrorReply("CROSSSLOT Keys in request don't hash to the same slot");
export const TRYAGAIN = new ErrorReply('TRYAGAIN Multiple keys request during rehashing of slot');
export const CLUSTERDOWN = new ErrorReply('CLUSTERDOWN The cluster is down');
export const CLUSTERDOWN_RO = new ErrorReply('CLUSTERDOWN The cluster is down and only accepts read commands');
export const CLUSTERDOWN_UNBOUND = new ErrorReply('CLUSTERDOWN Hash slot not served');

const PUBSUB_SHARD = new Set(['ssubscribe', 'sunsubscribe', 'spublish']);

/** The shard channels of SSUBSCRIBE / SUNSUBSCRIBE / SPUBLISH (NOT_KEY specs). */
function shardChannels(name: string, args: string[]): number[] {
  if (name === 'spublish') return [1];
  return args.map((_, i) => i).slice(1);
}

/** clusterRedirectClient for MOVED / ASK. */
export function redirection(table: RoutingTable, kind: 'MOVED' | 'ASK', slot: number, node: ClusterNode): ErrorReply {
  return new ErrorReply(`${kind} ${slot} ${table.preferredEndpoint(node) ?? ''}:${node.port}`);
}

/**
 * processCommand's routing: null when this node serves the command, else the error to
 * reply. Sets client.clusterSlot (c->slot) for the scripts the command may run.
 * `flags` are the command's flags for this call (a script's, for EVAL / FCALL).
 */
export function routeCommand(table: RoutingTable, client: Client, entry: CommandEntry, args: string[], flags: number): ErrorReply | null {
  const q = getNodeByQuery(table, client, entry, args, flags);
  client.clusterSlot = q.slot;
  client.clusterAskedForCommand = client.clusterAsking;
  return q.error;
}

/** What getNodeByQuery found: the error (null: this node serves it) and the keys' slot (-1: none). */
export interface QueryResult {
  error: ErrorReply | null;
  slot: number;
}

const SERVED_NO_KEYS: QueryResult = { error: null, slot: -1 };

/** The client state routing reads: MULTI's queue for EXEC, READONLY, ASKING. */
export type RoutedClient = Pick<Client, 'multi' | 'clusterAsking' | 'clusterReadonly'>;

/**
 * scriptVerifyClusterState: where the keys of a command called from a script are, with
 * the caller's READONLY / ASKING. The flags are the command's own.
 */
export function scriptKeyAccess(table: RoutingTable, caller: Client, command: { readonly spec: CommandSpec }, argv: string[]): ScriptKeyAccess {
  const noMulti = { multi: null, clusterAsking: caller.clusterAskedForCommand, clusterReadonly: caller.clusterReadonly };
  const q = getNodeByQuery(table, noMulti, command, argv, command.spec.flagBits);
  if (q.error === null) return { slot: q.slot };
  if (q.error === CLUSTERDOWN_RO) return 'down-ro';
  if (q.error === CLUSTERDOWN) return 'down';
  return 'not-local';
}

/**
 * getNodeByQuery: which node serves the command, as an error when it is not this one.
 * `flags` are the command's flags for this call (a script's, for EVAL / FCALL).
 */
export function getNodeByQuery(table: RoutingTable, client: RoutedClient, entry: { readonly spec: CommandSpec }, args: string[], flags: number): QueryResult {
  const spec = entry.spec;
  const top = spec.container ?? spec.name;
  const isExec = top === 'exec';
  // processCommand routes only commands that can have keys, and EXEC.
  if (!isExec && spec.keySpecs.length === 0 && spec.getKeysFunction === undefined) return SERVED_NO_KEYS;
  const me = table.myself;
  let commands: { entry: CommandEntry; args: string[] }[];
  let writeInMulti = false;
  if (isExec) {
    if (client.multi === null) return SERVED_NO_KEYS;
    commands = [];
    for (const q of client.multi.queue) {
      const resolved = resolveCommand(q.args);
      if (resolved instanceof ErrorReply) continue;
      commands.push({ entry: resolved, args: q.args });
      if (q.flags & CmdFlag.WRITE) writeInMulti = true;
    }
  } else {
    commands = [{ entry: entry as CommandEntry, args }];
  }
  const isPubsubShard = PUBSUB_SHARD.has(top);

  let firstKey: string | null = null;
  let slot = 0;
  let n: ClusterNode | null = null;
  let multipleKeys = false;
  let migratingSlot = false;
  let importingSlot = false;
  let missingKeys = 0;
  let existingKeys = 0;
  for (const c of commands) {
    const cname = c.entry.spec.container ?? c.entry.spec.name;
    const positions = PUBSUB_SHARD.has(cname) ? shardChannels(cname, c.args) : extractKeys(c.entry.spec, c.args).map((k) => k.pos);
    for (const pos of positions) {
      const key = c.args[pos]!;
      const thisSlot = keyHashSlot(key);
      if (firstKey === null) {
        firstKey = key;
        slot = thisSlot;
        n = table.slots[slot] ?? null;
        if (n === null) return fail(CLUSTERDOWN_UNBOUND);
        if (n === me && table.migratingTo[slot] !== null) migratingSlot = true;
        else if (table.importingFrom[slot] !== null) importingSlot = true;
      } else if (key !== firstKey) {
        if (slot !== thisSlot) return fail(CROSSSLOT);
        multipleKeys = true;
      }
      if ((migratingSlot || importingSlot) && !isPubsubShard) {
        if (table.keyExists(key)) existingKeys++;
        else missingKeys++;
      }
    }
  }
  if (n === null) return SERVED_NO_KEYS;

  if (table.state !== 0) {
    if (isPubsubShard) {
      if (!table.allowPubsubshardWhenDown) return fail(CLUSTERDOWN);
    } else if (!table.allowReadsWhenDown) {
      return fail(CLUSTERDOWN);
    } else if (flags & CmdFlag.WRITE) {
      return fail(CLUSTERDOWN_RO);
    }
  }

  // MIGRATE works on the local node while the slot is open.
  if ((migratingSlot || importingSlot) && top === 'migrate') return served(slot);

  if (migratingSlot && missingKeys > 0) {
    if (existingKeys > 0) return fail(TRYAGAIN, slot);
    return fail(redirection(table, 'ASK', slot, table.migratingTo[slot]!), slot);
  }

  if (importingSlot && (client.clusterAsking || flags & CmdFlag.ASKING)) {
    if (multipleKeys && missingKeys > 0) return fail(TRYAGAIN, slot);
    return served(slot);
  }

  const isWrite = (flags & CmdFlag.WRITE) !== 0 || writeInMulti;
  if ((client.clusterReadonly || isPubsubShard) && !isWrite && me.isSlave && me.slaveof === n) return served(slot);

  if (n !== me) return fail(redirection(table, 'MOVED', slot, n), slot);
  return served(slot);
}

function fail(error: ErrorReply, slot = -1): QueryResult {
  return { error, slot };
}

function served(slot: number): QueryResult {
  return { error: null, slot };
}
