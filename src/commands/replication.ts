/**
 * Replication commands: SYNC, PSYNC, REPLCONF, REPLICAOF / SLAVEOF, WAIT and ROLE. They
 * parse their arguments and ask the replication state (src/replication/), which owns the
 * replicas, the backlog and the link to a master.
 */
import { ErrorReply, Errors, NO_REPLY, OK, SimpleReply, type Reply } from '../protocol/reply.js';
import { ReplicationState } from '../replication/state.js';
import { replicaIp } from '../replication/roles.js';
import { parseInt64 } from './args.js';
import type { Handler } from './registry.js';

const NOMASTERLINK = new ErrorReply("NOMASTERLINK Can't SYNC while not connected with my master");

/** SYNC, and PSYNC replid offset (syncCommand's checks before the state takes over). */
function syncHandler(psync: boolean): Handler {
  return (client, args) => {
    const state = ReplicationState.of(client.server);
    if (!client.sink?.sendRaw) return new ErrorReply('ERR SYNC is only possible over a connection');
    // Already a replica, or the master link itself: ignored.
    if (client.isReplica || client.isMaster) return NO_REPLY;
    if (psync && args.length > 3 && args[3]!.toLowerCase() === 'failover') {
      // Our master fails over to us: we take over its history.
      client.server.log.warning(`Failover request received for replid ${args[1]}.`);
      if (state.master === null) return new ErrorReply("ERR PSYNC FAILOVER can't be sent to a master.");
      if (args[1]!.toLowerCase() !== state.replId) return new ErrorReply('ERR PSYNC FAILOVER replid must match my replid.');
      state.unsetMaster();
      client.server.log.notice(`MASTER MODE enabled (failover request from 'id=${client.id} addr=${client.addr}')`);
    }
    if (state.failover.state !== 'no-failover') return new ErrorReply("NOMASTERLINK Can't SYNC while failing over");
    if (state.master !== null && !state.linkUp) return NOMASTERLINK;
    let point: { replId: string; offset: number } | null = null;
    if (psync) {
      const offset = parseInt64(args[2]!);
      if (offset === null) {
        client.server.log.warning(`Replica ${state.replicas.nameOf(client)} asks for synchronization but with a wrong offset`);
        return Errors.notInteger;
      }
      point = { replId: args[1]!, offset: Number(offset) };
    }
    state.replicas.sync(client, point);
    return NO_REPLY;
  };
}

const replconf: Handler = (client, args) => {
  if (args.length % 2 === 0) return Errors.syntax;
  const state = ReplicationState.of(client.server);
  for (let j = 1; j < args.length; j += 2) {
    const option = args[j]!.toLowerCase();
    const value = args[j + 1]!;
    switch (option) {
      case 'listening-port': {
        const port = parseInt64(value);
        if (port === null) return Errors.notInteger;
        state.replicas.announce(client).listeningPort = Number(port);
        break;
      }
      case 'ip-address':
        if (value.length >= 46) {
          return new ErrorReply(`ERR REPLCONF ip-address provided by replica instance is too long: ${value.length} bytes`);
        }
        state.replicas.announce(client).announcedIp = value;
        break;
      case 'capa': {
        const capa = value.toLowerCase();
        if (capa === 'eof') state.replicas.announce(client).capaEof = true;
        else if (capa === 'psync2') state.replicas.announce(client).capaPsync2 = true;
        break; // capabilities this master does not know are ignored
      }
      case 'ack': {
        // No reply, ever; only a replica's acknowledgements count.
        const offset = parseInt64(value);
        if (offset !== null) state.replicas.ack(client, Number(offset));
        return NO_REPLY;
      }
      case 'getack':
        // Our master asks where we are (the reply goes out even to the master client).
        if (client.isMaster) state.link?.sendAck();
        return NO_REPLY;
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

/** REPLICAOF host port / NO ONE (replicaofCommand). */
const replicaof: Handler = (client, args) => {
  const server = client.server;
  // Cluster replicas follow their master's address (CLUSTER REPLICATE).
  if (server.cluster !== null) return new ErrorReply('ERR REPLICAOF not allowed in cluster mode.');
  const state = ReplicationState.of(server);
  const who = `id=${client.id} addr=${client.addr}`;
  if (args[1]!.toLowerCase() === 'no' && args[2]!.toLowerCase() === 'one') {
    if (state.master !== null) {
      state.unsetMaster();
      server.log.notice(`MASTER MODE enabled (user request from '${who}')`);
    }
    return OK;
  }
  if (client.isReplica) return new ErrorReply('ERR Command is not valid when client is a replica.');
  const port = parseInt64(args[2]!);
  if (port === null || Number(port) < 0 || Number(port) > 65535) return new ErrorReply('ERR Invalid master port');
  const host = args[1]!;
  const current = state.master;
  if (current !== null && current.host.toLowerCase() === host.toLowerCase() && current.port === Number(port)) {
    server.log.notice('REPLICAOF would result into synchronization with the master we are already connected with. No operation performed.');
    return new SimpleReply('OK Already connected to specified master');
  }
  state.setMaster(host, Number(port));
  server.log.notice(`REPLICAOF ${host}:${port} enabled (user request from '${who}')`);
  return OK;
};

/** WAIT numreplicas timeout. */
const wait: Handler = (client, args) => {
  const server = client.server;
  const state = ReplicationState.of(server);
  if (state.master !== null) {
    return new ErrorReply(
      'ERR WAIT cannot be used with replica instances. Please also note that since Redis 4.0 if a replica is configured to be writable (which is not the default) writes to replicas are just local and are not propagated.',
    );
  }
  const numReplicas = parseInt64(args[1]!);
  if (numReplicas === null) return Errors.notInteger;
  const timeout = parseInt64(args[2]!);
  if (timeout === null) return new ErrorReply('ERR timeout is not an integer or out of range');
  if (timeout < 0) return new ErrorReply('ERR timeout is negative');
  const offset = state.offset;
  const acked = state.replicas.acksAt(offset);
  if (acked >= numReplicas || client.multi !== null || client.denyBlocking) return acked;
  state.replicas.wait(client, Number(numReplicas), timeout > 0 ? Date.now() + Number(timeout) : 0);
  return NO_REPLY;
};

/** FAILOVER [TO host port [FORCE]] [ABORT] [TIMEOUT ms]. */
const failover: Handler = (client, args) => {
  const state = ReplicationState.of(client.server);
  if (args.length === 2 && args[1]!.toLowerCase() === 'abort') {
    const error = state.failover.abortCommand();
    return error === null ? OK : new ErrorReply(error);
  }
  let timeout = 0;
  let force = false;
  let target: { host: string; port: number } | null = null;
  for (let j = 1; j < args.length; j++) {
    const option = args[j]!.toLowerCase();
    if (option === 'timeout' && j + 1 < args.length && timeout === 0) {
      const ms = parseInt64(args[j + 1]!);
      if (ms === null) return Errors.notInteger;
      if (ms <= 0) return new ErrorReply('ERR FAILOVER timeout must be greater than 0');
      timeout = Number(ms);
      j++;
    } else if (option === 'to' && j + 2 < args.length && target === null) {
      const port = parseInt64(args[j + 2]!);
      if (port === null) return Errors.notInteger;
      target = { host: args[j + 1]!, port: Number(port) };
      j += 2;
    } else if (option === 'force' && !force) {
      force = true;
    } else {
      return Errors.syntax;
    }
  }
  const error = state.failover.start(target, timeout, force);
  return error === null ? OK : new ErrorReply(error);
};

/** ROLE: master offset replicas, or slave host port state offset. */
const role: Handler = (client) => {
  const state = ReplicationState.of(client.server);
  if (state.master !== null) {
    const link = state.link;
    const offset = link !== null && link.state === 'connected' ? link.appliedOffset : -1;
    return ['slave', state.master.host, state.master.port, link?.state ?? 'connect', offset];
  }
  const replicas: Reply[] = [];
  for (const r of state.attached()) {
    if (r.state !== 'online') continue;
    replicas.push([replicaIp(r), String(r.listeningPort), String(r.ackOffset)]);
  }
  return ['master', state.offset, replicas];
};

export const replicationCommands: Record<string, Handler> = {
  sync: syncHandler(false),
  psync: syncHandler(true),
  replconf,
  replicaof,
  slaveof: replicaof,
  wait,
  role,
  failover,
};
