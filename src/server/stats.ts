/** Counters reported by INFO stats / commandstats / errorstats. */
export interface CommandStat {
  calls: number;
  usec: number;
  rejectedCalls: number;
  failedCalls: number;
}

export class Stats {
  readonly commands = new Map<string, CommandStat>();
  readonly errors = new Map<string, number>();
  totalCommands = 0;
  totalConnections = 0;
  rejectedConnections = 0;
  expiredKeys = 0;
  evictedKeys = 0;
  totalErrorReplies = 0;
  netInputBytes = 0;
  netOutputBytes = 0;
  /** Bytes read from this replica's master (total_net_repl_input_bytes). */
  netReplInputBytes = 0;
  pubsubMessages = 0;
  /** Replicas served with a full sync, a partial one, and refused partial syncs. */
  syncFull = 0;
  syncPartialOk = 0;
  syncPartialErr = 0;
  /** Errors replied to a master or replica link (unexpected_error_replies). */
  unexpectedErrorReplies = 0;

  command(fullName: string): CommandStat {
    let s = this.commands.get(fullName);
    if (!s) this.commands.set(fullName, (s = { calls: 0, usec: 0, rejectedCalls: 0, failedCalls: 0 }));
    return s;
  }

  error(code: string): void {
    this.totalErrorReplies++;
    // Redis stops tracking new error codes past 128 distinct ones.
    if (!this.errors.has(code) && this.errors.size >= 128) return;
    this.errors.set(code, (this.errors.get(code) ?? 0) + 1);
  }

  reset(): void {
    this.commands.clear();
    this.errors.clear();
    this.totalCommands = 0;
    this.totalConnections = 0;
    this.rejectedConnections = 0;
    this.expiredKeys = 0;
    this.evictedKeys = 0;
    this.totalErrorReplies = 0;
    this.netInputBytes = 0;
    this.netOutputBytes = 0;
    this.netReplInputBytes = 0;
    this.pubsubMessages = 0;
    this.syncFull = 0;
    this.syncPartialOk = 0;
    this.syncPartialErr = 0;
    this.unexpectedErrorReplies = 0;
  }
}
