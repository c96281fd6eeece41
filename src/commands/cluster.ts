/**
 * CLUSTER and its subcommands, ASKING, READONLY, READWRITE (cluster.c's clusterCommand,
 * askingCommand, readonlyCommand, readwriteCommand). The handlers parse arguments and
 * ask the cluster state (src/cluster/); without cluster-enabled every one answers
 * "ERR This instance has cluster support disabled".
 */
import { ErrorReply, Errors, MapReply, OK, SimpleReply, VerbatimReply, type Reply } from '../protocol/reply.js';
import { arityError, helpLines, sanitizedError, subcommandSyntaxError } from '../protocol/reply-texts.js';
import { ClusterState, CLUSTER_OK, Todo, BROADCAST_ALL } from '../cluster/state.js';
import { MSG_TYPE_COUNT, messageTypeName, SLOTS } from '../cluster/bus-message.js';
import { keyHashSlot } from '../cluster/key-slot.js';
import type { ClusterNode } from '../cluster/node.js';
import { slotRangesByNode } from '../cluster/nodes-conf.js';
import { parseInt64 } from './args.js';
import type { Client } from '../server/client.js';
import type { Handler } from './registry.js';
import { registerDebugSubcommand } from './debug.js';

registerDebugSubcommand('drop-cluster-packet-filter', 3, (client, args) => {
  const type = intOf(args[2]!);
  if (type === null) return Errors.notInteger;
  const cluster = ClusterState.of(client.server);
  if (cluster !== null) cluster.dropPacketFilter = type;
  return OK;
});

/**
 * DEBUG CLUSTERLINK KILL <to|from|all> <node-id>: frees the link to, from, or both ways
 * with a node (the cron reconnects). As in debug.c, an unknown direction is an error
 * followed by +OK.
 */
registerDebugSubcommand('clusterlink', 5, (client, args) => {
  if (args[2]!.toLowerCase() !== 'kill') return subcommandSyntaxError(args);
  const cluster = ClusterState.of(client.server);
  if (cluster === null) return new ErrorReply('ERR Debug option only available for cluster mode enabled setup!');
  const node = cluster.lookup(args[4]!);
  if (node === null) return sanitizedError(`ERR Unknown node ${args[4]}`);
  const direction = args[3]!.toLowerCase();
  if (direction === 'from' || direction === 'all') node.inboundLink?.close();
  if (direction === 'to' || direction === 'all') node.link?.close();
  if (direction !== 'from' && direction !== 'to' && direction !== 'all') client.reply(sanitizedError(`ERR Unknown direction ${args[3]}`));
  return OK;
});

const DISABLED = new ErrorReply('ERR This instance has cluster support disabled');
const INVALID_SLOT = new ErrorReply('ERR Invalid or out of range slot');

const HELP = [
  'ADDSLOTS <slot> [<slot> ...]',
  '    Assign slots to current node.',
  'ADDSLOTSRANGE <start slot> <end slot> [<start slot> <end slot> ...]',
  '    Assign slots which are between <start-slot> and <end-slot> to current node.',
  'BUMPEPOCH',
  '    Advance the cluster config epoch.',
  'COUNT-FAILURE-REPORTS <node-id>',
  '    Return number of failure reports for <node-id>.',
  'COUNTKEYSINSLOT <slot>',
  '    Return the number of keys in <slot>.',
  'DELSLOTS <slot> [<slot> ...]',
  '    Delete slots information from current node.',
  'DELSLOTSRANGE <start slot> <end slot> [<start slot> <end slot> ...]',
  '    Delete slots information which are between <start-slot> and <end-slot> from current node.',
  'FAILOVER [FORCE|TAKEOVER]',
  '    Promote current replica node to being a master.',
  'FORGET <node-id>',
  '    Remove a node from the cluster.',
  'GETKEYSINSLOT <slot> <count>',
  '    Return key names stored by current node in a slot.',
  'FLUSHSLOTS',
  '    Delete current node own slots information.',
  'INFO',
  '    Return information about the cluster.',
  'KEYSLOT <key>',
  '    Return the hash slot for <key>.',
  'MEET <ip> <port> [<bus-port>]',
  '    Connect nodes into a working cluster.',
  'MYID',
  '    Return the node id.',
  'NODES',
  '    Return cluster configuration seen by node. Output format:',
  '    <id> <ip:port> <flags> <master> <pings> <pongs> <epoch> <link> <slot> ...',
  'REPLICATE <node-id>',
  '    Configure current node as replica to <node-id>.',
  'RESET [HARD|SOFT]',
  '    Reset current node (default: soft).',
  'SET-CONFIG-EPOCH <epoch>',
  '    Set config epoch of current node.',
  'SETSLOT <slot> (IMPORTING <node-id>|MIGRATING <node-id>|STABLE|NODE <node-id>)',
  '    Set slot state.',
  'REPLICAS <node-id>',
  '    Return <node-id> replicas.',
  'SAVECONFIG',
  '    Force saving cluster configuration on disk.',
  'SLOTS',
  '    Return information about slots range mappings. Each range is made of:',
  '    start, end, master and replicas IP addresses, ports and ids',
  'SHARDS',
  '    Return information about slot range mappings and the nodes associated with them.',
  'LINKS',
  '    Return information about all network links between this node and its peers.',
  '    Output format is an array where each array element is a map containing attributes of a link',
];

/** A CLUSTER subcommand handler, given the cluster state (absent: support disabled). */
type ClusterHandler = (cluster: ClusterState, client: Client, args: string[]) => Reply;

function clusterOnly(fn: ClusterHandler): Handler {
  return (client, args) => {
    const cluster = ClusterState.of(client.server);
    if (cluster === null) return DISABLED;
    return fn(cluster, client, args);
  };
}

/** A 64-bit integer argument as a number (slots, ports and epochs fit), or null. */
function intOf(arg: string): number | null {
  const v = parseInt64(arg);
  return v === null ? null : Number(v);
}

/** getSlotOrReply */
function slotArg(arg: string): number | ErrorReply {
  const v = intOf(arg);
  if (v === null || v < 0 || v >= SLOTS) return INVALID_SLOT;
  return v;
}

function unknownNode(name: string): ErrorReply {
  return new ErrorReply(`ERR Unknown node ${name}`);
}

/** ADDSLOTS / DELSLOTS and their RANGE forms (checkSlotAssignmentsOrReply, clusterUpdateSlots). */
function updateSlots(cluster: ClusterState, ranges: [number, number][], del: boolean): Reply {
  const seen = new Uint8Array(SLOTS);
  for (const [start, end] of ranges) {
    for (let slot = start; slot <= end; slot++) {
      if (del && cluster.slots[slot] === null) return new ErrorReply(`ERR Slot ${slot} is already unassigned`);
      if (!del && cluster.slots[slot] !== null) return new ErrorReply(`ERR Slot ${slot} is already busy`);
      if (seen[slot]++ === 1) return new ErrorReply(`ERR Slot ${slot} specified multiple times`);
    }
  }
  for (let j = 0; j < SLOTS; j++) {
    if (!seen[j]) continue;
    cluster.importingFrom[j] = null;
    if (del) cluster.delSlot(j);
    else cluster.addSlot(cluster.myself, j);
  }
  cluster.doBeforeSleep(Todo.UPDATE_STATE | Todo.SAVE_CONFIG);
  return OK;
}

const slotsHandler = (del: boolean): ClusterHandler => (cluster, _client, args) => {
  const slots: number[] = [];
  for (let j = 2; j < args.length; j++) {
    const slot = slotArg(args[j]!);
    if (slot instanceof ErrorReply) return slot;
    slots.push(slot);
  }
  return updateSlots(
    cluster,
    slots.map((s) => [s, s]),
    del,
  );
};

const slotsRangeHandler = (del: boolean): ClusterHandler => (cluster, _client, args) => {
  if (args.length % 2 === 1) return arityError(`cluster|${args[1]!.toLowerCase()}`);
  const ranges: [number, number][] = [];
  for (let j = 2; j < args.length; j += 2) {
    const start = slotArg(args[j]!);
    if (start instanceof ErrorReply) return start;
    const end = slotArg(args[j + 1]!);
    if (end instanceof ErrorReply) return end;
    if (start > end) return new ErrorReply(`ERR start slot number ${start} is greater than end slot number ${end}`);
    // Checked range by range, as Redis does (a later bad range is found after earlier checks).
    const seen = new Set<number>();
    for (const [a, b] of ranges) for (let s = a; s <= b; s++) seen.add(s);
    for (let slot = start; slot <= end; slot++) {
      if (del && cluster.slots[slot] === null) return new ErrorReply(`ERR Slot ${slot} is already unassigned`);
      if (!del && cluster.slots[slot] !== null) return new ErrorReply(`ERR Slot ${slot} is already busy`);
      if (seen.has(slot)) return new ErrorReply(`ERR Slot ${slot} specified multiple times`);
    }
    ranges.push([start, end]);
  }
  return updateSlots(cluster, ranges, del);
};

/** CLUSTER INFO's per-type message counters (the types never seen are left out), then the total. */
function messageStats(counts: readonly number[], direction: 'sent' | 'received'): string {
  let s = '';
  let total = 0;
  for (let i = 0; i < MSG_TYPE_COUNT; i++) {
    const n = counts[i]!;
    if (n === 0) continue;
    total += n;
    s += `cluster_stats_messages_${messageTypeName(i)}_${direction}:${n}\r\n`;
  }
  return s + `cluster_stats_messages_${direction}:${total}\r\n`;
}

/** CLUSTER INFO */
function info(cluster: ClusterState): string {
  let assigned = 0;
  let ok = 0;
  let pfail = 0;
  let fail = 0;
  for (const n of cluster.slots) {
    if (n === null) continue;
    assigned++;
    if (n.failed) fail++;
    else if (n.timedOut) pfail++;
    else ok++;
  }
  const me = cluster.myself;
  const myEpoch = me.isSlave && me.slaveof !== null ? me.slaveof.configEpoch : me.configEpoch;
  let s =
    `cluster_state:${cluster.state === CLUSTER_OK ? 'ok' : 'fail'}\r\n` +
    `cluster_slots_assigned:${assigned}\r\n` +
    `cluster_slots_ok:${ok}\r\n` +
    `cluster_slots_pfail:${pfail}\r\n` +
    `cluster_slots_fail:${fail}\r\n` +
    `cluster_known_nodes:${cluster.nodes.size}\r\n` +
    `cluster_size:${cluster.size}\r\n` +
    `cluster_current_epoch:${cluster.currentEpoch}\r\n` +
    `cluster_my_epoch:${myEpoch}\r\n`;
  s += messageStats(cluster.statsSent, 'sent') + messageStats(cluster.statsReceived, 'received');
  s += `total_cluster_links_buffer_limit_exceeded:${cluster.linksBufferLimitExceeded}\r\n`;
  return s;
}

/** isReplicaAvailable: CLUSTER SLOTS lists replicas that finished their first sync. */
function replicaAvailable(cluster: ClusterState, node: ClusterNode): boolean {
  if (node.failed) return false;
  const offset = node === cluster.myself ? cluster.replicaOffset() : node.replOffset;
  return offset !== 0;
}

/** addNodeToNodeReply */
function nodeEntry(cluster: ClusterState, node: ClusterNode): Reply {
  const type = cluster.server.config.get('cluster-preferred-endpoint-type');
  const endpoint: Reply = type === 'hostname' ? (node.hostname !== '' ? node.hostname : '?') : type === 'unknown-endpoint' ? null : node.ip;
  const extra: Reply[] = [];
  if (type !== 'ip') extra.push('ip', node.ip);
  if (type !== 'hostname' && node.hostname !== '') extra.push('hostname', node.hostname);
  return [endpoint, node.port, node.name, new MapReply(extra)];
}

/** clusterReplyMultiBulkSlots */
function slotsReply(cluster: ClusterState): Reply {
  const out: Reply[] = [];
  let start = 0;
  for (let i = 1; i <= SLOTS; i++) {
    const n = cluster.slots[start] ?? null;
    if (i < SLOTS && cluster.slots[i] === n) continue;
    if (n !== null) {
      const entry: Reply[] = [start, i - 1, nodeEntry(cluster, n)];
      for (const s of n.slaves) if (replicaAvailable(cluster, s)) entry.push(nodeEntry(cluster, s));
      out.push(entry);
    }
    start = i;
  }
  return out;
}

/** addNodeDetailsToShardReply */
function shardNode(cluster: ClusterState, node: ClusterNode): Reply {
  const entries: Reply[] = ['id', node.name];
  if (node.port) entries.push('port', node.port);
  entries.push('ip', node.ip, 'endpoint', cluster.preferredEndpoint(node) ?? '');
  if (node.hostname !== '') entries.push('hostname', node.hostname);
  const offset = node === cluster.myself ? cluster.myReplicationOffset() : node.replOffset;
  entries.push('role', node.isSlave ? 'replica' : 'master', 'replication-offset', offset);
  const health = node.failed ? 'fail' : node.isSlave && offset === 0 ? 'loading' : 'online';
  entries.push('health', health);
  return new MapReply(entries);
}

/** clusterReplyShards */
function shardsReply(cluster: ClusterState): Reply {
  const ranges = slotRangesByNode(cluster.slots);
  const out: Reply[] = [];
  for (const n of cluster.nodes.values()) {
    if (!n.isMaster) continue;
    const slots: Reply[] = [];
    for (const [a, b] of ranges.get(n) ?? []) slots.push(a, b);
    out.push(new MapReply(['slots', slots, 'nodes', [n, ...n.slaves].map((m) => shardNode(cluster, m))]));
  }
  return out;
}

/** addReplyClusterLinksDescription */
function linksReply(cluster: ClusterState): Reply {
  const out: Reply[] = [];
  for (const n of cluster.nodes.values()) {
    for (const link of [n.link, n.inboundLink]) {
      if (link === null) continue;
      const used = link.sendBufferUsed;
      out.push(
        new MapReply([
          'direction',
          link.inbound ? 'from' : 'to',
          'node',
          n.name,
          'create-time',
          link.ctime,
          'events',
          used > 0 ? 'rw' : 'r',
          'send-buffer-allocated',
          used,
          'send-buffer-used',
          used,
        ]),
      );
    }
  }
  return out;
}

const setslot: ClusterHandler = (cluster, _client, args) => {
  const me = cluster.myself;
  if (me.isSlave) return new ErrorReply('ERR Please use SETSLOT only with masters.');
  const slot = slotArg(args[2]!);
  if (slot instanceof ErrorReply) return slot;
  const action = args[3]!.toLowerCase();
  const lookupTarget = (unknown: (name: string) => ErrorReply): ClusterNode | ErrorReply => {
    const n = cluster.lookup(args[4]!);
    if (n === null) return unknown(args[4]!);
    if (n.isSlave) return new ErrorReply('ERR Target node is not a master');
    return n;
  };
  const dontKnow = (name: string) => new ErrorReply(`ERR I don't know about node ${name}`);
  if (action === 'migrating' && args.length === 5) {
    if (cluster.slots[slot] !== me) return new ErrorReply(`ERR I'm not the owner of hash slot ${slot}`);
    const n = lookupTarget(dontKnow);
    if (n instanceof ErrorReply) return n;
    cluster.migratingTo[slot] = n;
  } else if (action === 'importing' && args.length === 5) {
    if (cluster.slots[slot] === me) return new ErrorReply(`ERR I'm already the owner of hash slot ${slot}`);
    const n = lookupTarget(dontKnow);
    if (n instanceof ErrorReply) return n;
    cluster.importingFrom[slot] = n;
  } else if (action === 'stable' && args.length === 4) {
    cluster.importingFrom[slot] = null;
    cluster.migratingTo[slot] = null;
  } else if (action === 'node' && args.length === 5) {
    const n = lookupTarget(unknownNode);
    if (n instanceof ErrorReply) return n;
    const keys = cluster.countKeysInSlot(slot);
    if (cluster.slots[slot] === me && n !== me && keys !== 0) {
      return new ErrorReply(`ERR Can't assign hashslot ${slot} to a different node while I still hold keys for this hash slot.`);
    }
    if (keys === 0 && cluster.migratingTo[slot] !== null) cluster.migratingTo[slot] = null;
    const wasMine = cluster.slots[slot] === me;
    cluster.delSlot(slot);
    cluster.addSlot(n, slot);
    if (wasMine && n !== me && me.numslots === 0 && cluster.server.config.getBool('cluster-allow-replica-migration')) {
      cluster.server.log.warning(`Configuration change detected. Reconfiguring myself as a replica of ${n.name}`);
      cluster.setMaster(n);
      cluster.doBeforeSleep(Todo.SAVE_CONFIG | Todo.UPDATE_STATE | Todo.FSYNC_CONFIG);
    }
    if (n === me && cluster.importingFrom[slot] !== null) {
      if (cluster.bumpConfigEpochWithoutConsensus()) cluster.server.log.warning(`configEpoch updated after importing slot ${slot}`);
      cluster.importingFrom[slot] = null;
      cluster.broadcastPong(BROADCAST_ALL);
    }
  } else {
    return new ErrorReply('ERR Invalid CLUSTER SETSLOT action or number of arguments. Try CLUSTER HELP');
  }
  cluster.doBeforeSleep(Todo.SAVE_CONFIG | Todo.UPDATE_STATE);
  return OK;
};

const meet: ClusterHandler = (cluster, _client, args) => {
  if (args.length !== 4 && args.length !== 5) return subcommandSyntaxError(args);
  const port = intOf(args[3]!);
  if (port === null) return new ErrorReply(`ERR Invalid TCP base port specified: ${args[3]}`);
  let cport = port + 10000;
  if (args.length === 5) {
    const c = intOf(args[4]!);
    if (c === null) return new ErrorReply(`ERR Invalid TCP bus port specified: ${args[4]}`);
    cport = c;
  }
  const started = cluster.startHandshake(args[2]!, port, cport);
  if (started === 'invalid') return new ErrorReply(`ERR Invalid node address specified: ${args[2]}:${args[3]}`);
  return OK;
};

const replicate: ClusterHandler = (cluster, client, args) => {
  const n = cluster.lookup(args[2]!);
  if (n === null) return unknownNode(args[2]!);
  const me = cluster.myself;
  if (n === me) return new ErrorReply("ERR Can't replicate myself");
  if (n.isSlave) return new ErrorReply('ERR I can only replicate a master, not a replica.');
  if (me.isMaster && (me.numslots !== 0 || client.server.databases[0]!.size !== 0)) {
    return new ErrorReply('ERR To set a master the node must be empty and without assigned slots.');
  }
  cluster.setMaster(n);
  cluster.doBeforeSleep(Todo.UPDATE_STATE | Todo.SAVE_CONFIG);
  return OK;
};

const replicas: ClusterHandler = (cluster, _client, args) => {
  const n = cluster.lookup(args[2]!);
  if (n === null) return unknownNode(args[2]!);
  if (n.isSlave) return new ErrorReply('ERR The specified node is not a master');
  return n.slaves.map((s) => cluster.describe(s));
};

const failover: ClusterHandler = (cluster, _client, args) => {
  if (args.length !== 2 && args.length !== 3) return subcommandSyntaxError(args);
  let mode: 'default' | 'force' | 'takeover' = 'default';
  if (args.length === 3) {
    const opt = args[2]!.toLowerCase();
    if (opt === 'force') mode = 'force';
    else if (opt === 'takeover') mode = 'takeover';
    else return Errors.syntax;
  }
  const me = cluster.myself;
  if (me.isMaster) return new ErrorReply('ERR You should send CLUSTER FAILOVER to a replica');
  if (me.slaveof === null) return new ErrorReply("ERR I'm a replica but my master is unknown to me");
  if (mode === 'default' && (me.slaveof.failed || me.slaveof.link === null)) {
    return new ErrorReply('ERR Master is down or failed, please use CLUSTER FAILOVER FORCE');
  }
  cluster.elections.startManualFailover(mode);
  return OK;
};

const setConfigEpoch: ClusterHandler = (cluster, _client, args) => {
  const epoch = intOf(args[2]!);
  if (epoch === null) return Errors.notInteger;
  if (epoch < 0) return new ErrorReply(`ERR Invalid config epoch specified: ${epoch}`);
  if (cluster.nodes.size > 1) return new ErrorReply('ERR The user can assign a config epoch only when the node does not know any other node.');
  if (cluster.myself.configEpoch !== 0) return new ErrorReply('ERR Node config epoch is already non-zero');
  cluster.myself.configEpoch = epoch;
  cluster.server.log.warning(`configEpoch set to ${epoch} via CLUSTER SET-CONFIG-EPOCH`);
  if (cluster.currentEpoch < epoch) cluster.currentEpoch = epoch;
  cluster.doBeforeSleep(Todo.UPDATE_STATE | Todo.SAVE_CONFIG);
  return OK;
};

const reset: ClusterHandler = (cluster, client, args) => {
  if (args.length !== 2 && args.length !== 3) return subcommandSyntaxError(args);
  let hard = false;
  if (args.length === 3) {
    const opt = args[2]!.toLowerCase();
    if (opt === 'hard') hard = true;
    else if (opt !== 'soft') return Errors.syntax;
  }
  if (cluster.myself.isMaster && client.db.size !== 0) return new ErrorReply("ERR CLUSTER RESET can't be called with master nodes containing keys");
  cluster.reset(hard);
  return OK;
};

const forget: ClusterHandler = (cluster, _client, args) => {
  const n = cluster.lookup(args[2]!);
  if (n === null) return unknownNode(args[2]!);
  if (n === cluster.myself) return new ErrorReply("ERR I tried hard but I can't forget myself...");
  if (cluster.myself.isSlave && cluster.myself.slaveof === n) return new ErrorReply("ERR Can't forget my master!");
  cluster.blacklistAdd(n);
  cluster.deleteNode(n);
  cluster.doBeforeSleep(Todo.UPDATE_STATE | Todo.SAVE_CONFIG);
  return OK;
};

const countkeysinslot: ClusterHandler = (cluster, _client, args) => {
  const slot = intOf(args[2]!);
  if (slot === null) return Errors.notInteger;
  if (slot < 0 || slot >= SLOTS) return new ErrorReply('ERR Invalid slot');
  return cluster.countKeysInSlot(slot);
};

const getkeysinslot: ClusterHandler = (cluster, _client, args) => {
  const slot = intOf(args[2]!);
  if (slot === null) return Errors.notInteger;
  const max = intOf(args[3]!);
  if (max === null) return Errors.notInteger;
  if (slot < 0 || slot >= SLOTS || max < 0) return new ErrorReply('ERR Invalid slot or number of keys');
  // Redis lists a slot's keys newest first (slotToKeyAddEntry adds at the head).
  const keys = (cluster.keysBySlot().get(slot) ?? []).reverse();
  return keys.slice(0, Math.min(max, keys.length));
};

export const clusterCommands: Record<string, Handler> = {
  'cluster|help': clusterOnly(() => helpLines('CLUSTER', HELP)),
  'cluster|info': clusterOnly((c) => new VerbatimReply(info(c))),
  'cluster|myid': clusterOnly((c) => c.myself.name),
  'cluster|nodes': clusterOnly((c) => new VerbatimReply(c.nodesDescription(0))),
  'cluster|slots': clusterOnly((c) => slotsReply(c)),
  'cluster|shards': clusterOnly((c) => shardsReply(c)),
  'cluster|links': clusterOnly((c) => linksReply(c)),
  'cluster|keyslot': clusterOnly((_c, _client, args) => keyHashSlot(args[2]!)),
  'cluster|countkeysinslot': clusterOnly(countkeysinslot),
  'cluster|getkeysinslot': clusterOnly(getkeysinslot),
  'cluster|addslots': clusterOnly(slotsHandler(false)),
  'cluster|delslots': clusterOnly(slotsHandler(true)),
  'cluster|addslotsrange': clusterOnly(slotsRangeHandler(false)),
  'cluster|delslotsrange': clusterOnly(slotsRangeHandler(true)),
  'cluster|flushslots': clusterOnly((c, client) => {
    if (client.server.databases[0]!.size !== 0) return new ErrorReply('ERR DB must be empty to perform CLUSTER FLUSHSLOTS.');
    c.delNodeSlots(c.myself);
    c.doBeforeSleep(Todo.UPDATE_STATE | Todo.SAVE_CONFIG);
    return OK;
  }),
  'cluster|setslot': clusterOnly(setslot),
  'cluster|meet': clusterOnly(meet),
  'cluster|forget': clusterOnly(forget),
  'cluster|replicate': clusterOnly(replicate),
  'cluster|replicas': clusterOnly(replicas),
  'cluster|slaves': clusterOnly(replicas),
  'cluster|failover': clusterOnly(failover),
  'cluster|reset': clusterOnly(reset),
  'cluster|saveconfig': clusterOnly((c) => (c.saveConfig(true) ? OK : new ErrorReply(`ERR error saving the cluster node config: ${c.lastSaveError}`))),
  'cluster|set-config-epoch': clusterOnly(setConfigEpoch),
  'cluster|bumpepoch': clusterOnly((c) => {
    const bumped = c.bumpConfigEpochWithoutConsensus();
    return new SimpleReply(`${bumped ? 'BUMPED' : 'STILL'} ${c.myself.configEpoch}`);
  }),
  'cluster|count-failure-reports': clusterOnly((c, _client, args) => {
    const n = c.lookup(args[2]!);
    if (n === null) return unknownNode(args[2]!);
    return c.failureReportsCount(n);
  }),
  asking: clusterOnly((_c, client) => {
    client.clusterAsking = true;
    return OK;
  }),
  readonly: clusterOnly((_c, client) => {
    client.clusterReadonly = true;
    return OK;
  }),
  readwrite: clusterOnly((_c, client) => {
    client.clusterReadonly = false;
    return OK;
  }),
};

