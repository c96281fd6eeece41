/**
 * Active expiry: a periodic sweep over keys with a TTL, deleting the expired ones, in
 * the spirit of Redis's activeExpireCycle (sample, repeat while many were expired).
 */
import type { Clock, Database } from '../keyspace/database.js';
import type { Config } from './config.js';

/** What the sweep needs of a server (Server is one; server.ts imports this module). */
export interface ExpireTarget {
  readonly config: Config;
  readonly clock: Clock;
  readonly databases: readonly Database[];
  /** A replica (master set) leaves expiry to its master. */
  readonly replication: { readonly master: object | null };
}

const SAMPLE = 20;
const MAX_MS_PER_CYCLE = 25;

export class ActiveExpire {
  enabled = true;
  private timer: NodeJS.Timeout | null = null;
  private cursors = new Map<number, Iterator<[string, number]>>();

  constructor(private readonly server: ExpireTarget) {}

  start(): void {
    if (this.timer) return;
    const hz = Math.max(1, Math.min(500, this.server.config.getInt('hz')));
    this.timer = setInterval(() => this.cycle(), Math.floor(1000 / hz));
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  cycle(): void {
    // A replica waits for its master's DELs (activeExpireCycle runs on masters only).
    if (!this.enabled || this.server.replication.master !== null) return;
    const started = Date.now();
    const server = this.server;
    server.clock.now = started;
    for (const db of server.databases) {
      if (db.expires.size === 0) continue;
      for (;;) {
        let it = this.cursors.get(db.id);
        if (!it) this.cursors.set(db.id, (it = db.expires.entries()));
        let sampled = 0;
        let expired = 0;
        while (sampled < SAMPLE) {
          const next = it.next();
          if (next.done) {
            this.cursors.delete(db.id);
            break;
          }
          sampled++;
          if (next.value[1] <= started && db.expireIfNeeded(next.value[0])) expired++;
        }
        if (sampled === 0 || expired * 4 < sampled || Date.now() - started > MAX_MS_PER_CYCLE) break;
      }
    }
  }
}
