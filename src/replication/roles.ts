/**
 * The replication state as its parts see it: the master side, the master link and
 * FAILOVER are given a ReplicationCore (state.ts implements it) instead of importing
 * state.ts, so that the owner imports its parts and no part imports the owner.
 */
import type { Client } from '../server/client.js';
import type { ReplicationBuffer, StreamReader } from './repl-buffer.js';

/**
 * wait_bgsave: waiting for its snapshot to start; wait_bgsave_end: its snapshot is being
 * taken (INFO shows both as wait_bgsave, as Redis's WAIT_BGSAVE_START and _END).
 */
export type ReplicaSyncState = 'wait_bgsave' | 'wait_bgsave_end' | 'online';

export type FailoverState = 'no-failover' | 'waiting-for-sync' | 'failover-in-progress';

/** A replica of this server and what it told about itself. */
export interface AttachedReplica {
  readonly client: Client;
  state: ReplicaSyncState;
  listeningPort: number;
  /** REPLCONF ip-address (replica-announce-ip), else the connection's address is shown. */
  announcedIp: string | null;
  capaEof: boolean;
  capaPsync2: boolean;
  /** Came with SYNC (no ACKs expected, no +FULLRESYNC line). */
  preSync: boolean;
  ackOffset: number;
  /** Unix seconds of the last REPLCONF ACK (INFO's lag, min-replicas-max-lag). */
  ackTime: number;
  /** Its place in the replication buffer (null while it waits for its snapshot to start). */
  reader: StreamReader | null;
  /**
   * Stream bytes may go out: false while its payload is sent, and after a diskless
   * payload until its first ACK (the stream waits in the replication buffer).
   */
  streaming: boolean;
  /**
   * A diskless payload being sent: the unix second it last took payload bytes (Redis's
   * repl_last_partial_write, for repl-timeout), and how many were queued then.
   */
  payloadProgressAt: number;
  payloadQueued: number;
  /** When what it holds of the replication buffer first passed the soft limit (ms, 0: not). */
  softSince: number;
}

/** The address a replica is known by: what it announced (replica-announce-ip), else its connection's. */
export function replicaIp(replica: { readonly client: Client; readonly announcedIp: string | null }): string {
  return replica.announcedIp ?? replica.client.addr.slice(0, replica.client.addr.lastIndexOf(':'));
}

/** The replid and offset a replica can PSYNC with (Redis's cached master). */
export interface PsyncPoint {
  replId: string;
  offset: number;
  /** The database the stream was in (a continued stream need not SELECT first). */
  db: number;
}

/** What the parts read and change of the replication state. */
export interface ReplicationCore {
  replId: string;
  replId2: string;
  /** master_repl_offset. */
  offset: number;
  secondReplOffset: number;
  /** The replication buffer: the backlog and the replicas' pending stream. */
  backlog: ReplicationBuffer | null;
  /** The database the stream last selected (-1: the next command selects). */
  selectedDb: number;
  /** Unix seconds since the server has no replicas (repl-backlog-ttl). */
  noReplicasSince: number;
  cachedMaster: PsyncPoint | null;
  readonly master: { readonly host: string; readonly port: number } | null;
  readonly replicas: { disconnectAll(): void };
  readonly failover: { readonly state: FailoverState; update(): void; psyncAnswered(accepted: boolean): void; linkFailed(): void };
  feedStream(bytes: string): void;
  createBacklog(): void;
  newHistory(): void;
  shiftReplicationId(newId?: string): void;
  adoptMasterHistory(replId: string, offset: number): void;
  startCron(): void;
  attached(): readonly AttachedReplica[];
  setMaster(host: string, port: number): void;
  unsetMaster(): void;
}
