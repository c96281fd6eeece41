/**
 * The master side of replication (replication.c): SYNC / PSYNC turn the connection
 * into a replica that receives a snapshot of the dataset as an RDB payload, then the
 * stream of propagated commands (src/server/propagation.ts); REPLCONF records what
 * the replica says about itself.
 *
 * The payload is sent the disk-based way, `$<length>\r\n<rdb>` without a trailing
 * CRLF, which every replica (and Redis's test helpers) understands. A replica gets no
 * replies to the commands it sends afterwards, as in Redis.
 */
import { ErrorReply, Errors, NO_REPLY, OK, SimpleReply, type Reply } from '../protocol/reply.js';
import type { Client } from '../server/client.js';
import type { Server } from '../server/server.js';
import { Propagator, enoughGoodReplicas } from '../server/propagation.js';
import { SnapshotJob } from '../persistence/snapshot.js';
import { parseInt64 } from './args.js';
import type { Handler } from './registry.js';

/** What a replica told about itself (REPLCONF), for ROLE and INFO. */
export interface ReplicaInfo {
  listeningPort: number;
  ackOffset: number;
  /** Unix seconds of the last REPLCONF ACK (INFO's lag). */
  ackTime: number;
}

const replicaInfo = new WeakMap<Client, ReplicaInfo>();

function infoOf(client: Client): ReplicaInfo {
  let info = replicaInfo.get(client);
  if (!info) {
    info = { listeningPort: 0, ackOffset: 0, ackTime: Math.floor(Date.now() / 1000) };
    replicaInfo.set(client, info);
  }
  return info;
}

/** The connected replicas with what they reported, for ROLE and INFO replication. */
export function connectedReplicas(server: Server): { client: Client; info: ReplicaInfo }[] {
  const propagator = server.extensions.get('propagation') as Propagator | undefined;
  if (!propagator) return [];
  return propagator.replication.connected().map((client) => ({ client, info: infoOf(client) }));
}

/** min-replicas-to-write is met (dispatch refuses writes with NOREPLICAS otherwise). */
export function hasEnoughGoodReplicas(server: Server): boolean {
  return enoughGoodReplicas(server, (replica) => infoOf(replica).ackTime);
}

/** master_repl_offset and master_replid (null: no propagation state yet). */
export function replicationOffset(server: Server): { replId: string; offset: number; active: boolean } | null {
  const propagator = server.extensions.get('propagation') as Propagator | undefined;
  if (!propagator) return null;
  const r = propagator.replication;
  return { replId: r.replId, offset: r.offset, active: r.active };
}

/** The dataset as one RDB payload (a point-in-time copy, taken now). */
function snapshot(server: Server): Buffer {
  const job = new SnapshotJob(server);
  while (!job.step(Infinity));
  return Buffer.concat(job.drain());
}

/** SYNC, and PSYNC when a partial resynchronization is not possible. */
function fullResync(client: Client, psync: boolean): Reply {
  const server = client.server;
  const sink = client.sink;
  if (!sink?.sendRaw) return new ErrorReply('ERR SYNC is only possible over a connection');
  const replication = Propagator.of(server).replication;
  if (replication.isReplica(client)) return NO_REPLY; // already a replica: ignored
  server.log.notice(`Replica ${client.addr} asks for synchronization`);
  if (psync) sink.sendRaw(`+FULLRESYNC ${replication.replId} ${replication.offset}\r\n`);
  const rdb = snapshot(server);
  sink.sendRaw(`$${rdb.length}\r\n`);
  sink.sendRaw(rdb.toString('latin1'));
  replication.attach(client);
  infoOf(client);
  // Replicas get the stream only, never replies.
  client.replyMode = 'off';
  server.log.notice(`Synchronization with replica ${client.addr} succeeded`);
  return NO_REPLY;
}

const sync: Handler = (client) => fullResync(client, false);

const psync: Handler = (client, args) => {
  const server = client.server;
  const replication = Propagator.of(server).replication;
  const offset = parseInt64(args[2]!);
  // masterTryPartialResynchronization: only a replica that is exactly up to date with
  // this history continues (lunakv keeps no backlog of past bytes).
  if (args[1] === replication.replId && offset !== null && Number(offset) === replication.offset && !replication.isReplica(client)) {
    client.sink?.sendRaw?.(`+CONTINUE ${replication.replId}\r\n`);
    replication.attach(client);
    infoOf(client);
    client.replyMode = 'off';
    return NO_REPLY;
  }
  return fullResync(client, true);
};

const replconf: Handler = (client, args) => {
  if (args.length % 2 === 0) return Errors.syntax;
  for (let j = 1; j < args.length; j += 2) {
    const option = args[j]!.toLowerCase();
    const value = args[j + 1]!;
    switch (option) {
      case 'listening-port': {
        const port = parseInt64(value);
        if (port === null) return Errors.notInteger;
        infoOf(client).listeningPort = Number(port);
        break;
      }
      case 'ip-address':
        if (value.length >= 46) {
          return new ErrorReply(`ERR REPLCONF ip-address provided by replica instance is too long: ${value.length} bytes`);
        }
        break;
      case 'capa':
        break; // capabilities this master does not use are ignored
      case 'ack': {
        // No reply, ever; only a replica's acknowledgements count.
        if (!Propagator.of(client.server).replication.isReplica(client)) return NO_REPLY;
        const offset = parseInt64(value);
        if (offset === null) return NO_REPLY;
        const info = infoOf(client);
        if (Number(offset) > info.ackOffset) info.ackOffset = Number(offset);
        info.ackTime = Math.floor(Date.now() / 1000);
        return NO_REPLY;
      }
      case 'getack':
        return NO_REPLY; // a master has no master to acknowledge
      case 'rdb-only': {
        const flag = parseInt64(value);
        if (flag === null) return Errors.notInteger;
        if (Number(flag) < 0 || Number(flag) > 1) return new ErrorReply('ERR value is out of range, value must between 0 and 1');
        break;
      }
      default:
        return new ErrorReply(`ERR Unrecognized REPLCONF option: ${args[j]}`);
    }
  }
  return OK;
};

/**
 * REPLICAOF host port / NO ONE. lunakv does not pull from a master: becoming a replica
 * makes it read-only (READONLY to writes) and drops its own replicas, as Redis does.
 */
const replicaof: Handler = (client, args) => {
  const server = client.server;
  const replication = Propagator.of(server).replication;
  if (args[1]!.toLowerCase() === 'no' && args[2]!.toLowerCase() === 'one') {
    if (server.replicaOf !== null) {
      server.replicaOf = null;
      replication.disconnectAll();
      server.log.notice(`MASTER MODE enabled (user request from 'id=${client.id} addr=${client.addr}')`);
    }
    return OK;
  }
  if (replication.isReplica(client)) return new ErrorReply('ERR Command is not valid when client is a replica.');
  const port = parseInt64(args[2]!);
  if (port === null || Number(port) < 0 || Number(port) > 65535) return new ErrorReply('ERR Invalid master port');
  const host = args[1]!;
  const current = server.replicaOf;
  if (current !== null && current.host.toLowerCase() === host.toLowerCase() && current.port === Number(port)) {
    return new SimpleReply('OK Already connected to specified master');
  }
  server.replicaOf = { host, port: Number(port) };
  replication.disconnectAll();
  server.log.notice(`REPLICAOF ${host}:${port} enabled (user request from 'id=${client.id} addr=${client.addr}')`);
  return OK;
};

export const replicationCommands: Record<string, Handler> = { sync, psync, replconf, replicaof, slaveof: replicaof };
