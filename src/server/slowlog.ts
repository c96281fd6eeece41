/** SLOWLOG entries, newest first, as Redis keeps them (args capped at 32, 128 bytes each). */
import type { Client } from './client.js';

export interface SlowlogEntry {
  id: number;
  time: number;
  durationUs: number;
  args: string[];
  addr: string;
  name: string;
}

const MAX_ARGC = 32;
const MAX_ARG_LEN = 128;

export class Slowlog {
  entries: SlowlogEntry[] = [];
  private nextId = 0;
  maxLen = 128;

  add(client: Client, args: string[], durationUs: number): void {
    const kept: string[] = [];
    const argc = Math.min(args.length, MAX_ARGC);
    for (let i = 0; i < argc; i++) {
      if (argc !== args.length && i === argc - 1) {
        kept.push(`... (${args.length - argc + 1} more arguments)`);
        break;
      }
      const a = args[i];
      kept.push(a.length > MAX_ARG_LEN ? `${a.slice(0, MAX_ARG_LEN)}... (${a.length - MAX_ARG_LEN} more bytes)` : a);
    }
    this.entries.unshift({
      id: this.nextId++,
      time: Math.floor(Date.now() / 1000),
      durationUs: Math.floor(durationUs),
      args: kept,
      addr: client.addr,
      name: client.name,
    });
    if (this.entries.length > this.maxLen) this.entries.length = this.maxLen;
  }

  reset(): void {
    this.entries = [];
  }
}
