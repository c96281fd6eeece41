/**
 * FAILOVER [TO host port [FORCE]] [ABORT] [TIMEOUT ms] (replication.c's failoverCommand,
 * updateFailoverStatus, abortFailover), the coordinated switch of roles between this
 * master and one of its replicas:
 *
 *   1. writes are paused, so the stream stops growing          state waiting-for-sync
 *   2. once the target (or, without TO, any replica) acknowledged the whole stream, or
 *      the timeout passed with FORCE, this server becomes the target's replica and
 *      sends it `PSYNC <replid> <offset> FAILOVER`               state failover-in-progress
 *   3. the target promotes itself and continues our history; its reply to the PSYNC
 *      ends the failover (or aborts it: we become a master again). Writes resume.
 */
import type { Server } from '../server/server.js';
import { replicaIp, type AttachedReplica, type FailoverState, type ReplicationCore } from './roles.js';

export class Failover {
  state: FailoverState = 'no-failover';
  private target: { host: string; port: number } | null = null;
  private endTime = 0;
  private force = false;

  constructor(
    private readonly server: Server,
    private readonly replication: ReplicationCore,
  ) {}

  /** The command; returns the error text, or null for OK. */
  start(target: { host: string; port: number } | null, timeoutMs: number, force: boolean): string | null {
    const replication = this.replication;
    if (this.state !== 'no-failover') return 'ERR FAILOVER already in progress.';
    if (replication.master !== null) return 'ERR FAILOVER is not valid when server is a replica.';
    if (replication.attached().length === 0) return 'ERR FAILOVER requires connected replicas.';
    if (force && (timeoutMs === 0 || target === null)) return 'ERR FAILOVER with force option requires both a timeout and target HOST and IP.';
    const log = this.server.log;
    if (target !== null) {
      const replica = this.find(target.host, target.port);
      if (replica === undefined) return 'ERR FAILOVER target HOST and PORT is not a replica.';
      if (replica.state !== 'online') return 'ERR FAILOVER target replica is not online.';
      this.target = target;
      log.notice(`FAILOVER requested to ${target.host}:${target.port}.`);
    } else {
      log.notice('FAILOVER requested to any replica.');
    }
    this.endTime = timeoutMs > 0 ? Date.now() + timeoutMs : 0;
    this.force = force;
    this.state = 'waiting-for-sync';
    // pauseClients(PAUSE_DURING_FAILOVER, LLONG_MAX, CLIENT_PAUSE_WRITE)
    this.server.pause = { until: Number.MAX_SAFE_INTEGER, writesOnly: true };
    setImmediate(() => this.update());
    // updateFailoverStatus runs before every sleep in Redis: the deadline is met on time.
    if (timeoutMs > 0) setTimeout(() => this.update(), timeoutMs + 1).unref();
    return null;
  }

  /** FAILOVER ABORT. */
  abortCommand(): string | null {
    if (this.state === 'no-failover') return 'ERR No failover in progress.';
    this.abort('Failover manually aborted');
    return null;
  }

  private find(host: string, port: number): AttachedReplica | undefined {
    return this.replication.attached().find((r) => {
      return replicaIp(r) === host && r.listeningPort === port;
    });
  }

  /** updateFailoverStatus: called every second and on every replica ACK. */
  update(): void {
    if (this.state !== 'waiting-for-sync') return;
    const log = this.server.log;
    if (this.endTime !== 0 && this.endTime <= Date.now()) {
      if (this.force && this.target !== null) {
        log.notice(`FAILOVER to ${this.target.host}:${this.target.port} time out exceeded, failing over.`);
        this.handOver(this.target);
      } else {
        this.abort('Replica never caught up before timeout');
      }
      return;
    }
    const offset = this.replication.offset;
    let replica: AttachedReplica | undefined;
    if (this.target !== null) {
      replica = this.find(this.target.host, this.target.port);
    } else {
      replica = this.replication.attached().find((r) => r.ackOffset === offset);
      if (replica !== undefined) {
        this.target = { host: replicaIp(replica), port: replica.listeningPort };
      }
    }
    if (replica !== undefined && replica.ackOffset === offset && this.target !== null) {
      log.notice(`Failover target ${this.target.host}:${this.target.port} is synced, failing over.`);
      this.handOver(this.target);
    }
  }

  private handOver(target: { host: string; port: number }): void {
    this.state = 'failover-in-progress';
    this.replication.setMaster(target.host, target.port);
  }

  /** The PSYNC FAILOVER was answered: the target accepted (done) or not (abort). */
  psyncAnswered(accepted: boolean): void {
    if (this.state !== 'failover-in-progress') return;
    if (accepted) this.clear();
    else this.abort('Failover target rejected psync request');
  }

  /** A failure on the link while failing over ends the failover as Redis's handshake does. */
  linkFailed(): void {
    if (this.state === 'failover-in-progress') this.abort('Failover target rejected psync request');
  }

  abort(why: string): void {
    if (this.state === 'no-failover') return;
    const log = this.server.log;
    if (this.target !== null) log.notice(`FAILOVER to ${this.target.host}:${this.target.port} aborted: ${why}`);
    else log.notice(`FAILOVER to any replica aborted: ${why}`);
    if (this.state === 'failover-in-progress') this.replication.unsetMaster();
    this.clear();
  }

  private clear(): void {
    this.state = 'no-failover';
    this.target = null;
    this.endTime = 0;
    this.force = false;
    this.server.pause = null;
    this.server.resumeDeferred();
  }
}
