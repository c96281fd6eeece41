/**
 * WATCH bookkeeping: which clients watch which keys, and marking them dirty when a
 * watched key changes (Redis's touchWatchedKey / touchAllWatchedKeysInDb).
 */
import type { Database } from '../keyspace/database.js';
import type { Client } from './client.js';

export class WatchRegistry {
  private readonly byDb = new Map<Database, Map<string, Set<Client>>>();
  size = 0;

  watch(client: Client, db: Database, key: string): void {
    const id = `${db.id}\0${key}`;
    if (!client.watched) client.watched = new Map();
    if (client.watched.has(id)) return;
    client.watched.set(id, { db, key, expiredAtWatch: db.isLogicallyExpired(key) });
    let keys = this.byDb.get(db);
    if (!keys) this.byDb.set(db, (keys = new Map()));
    let clients = keys.get(key);
    if (!clients) {
      keys.set(key, (clients = new Set()));
      this.size++;
    }
    clients.add(client);
  }

  unwatchAll(client: Client): void {
    if (!client.watched) return;
    for (const { db, key } of client.watched.values()) {
      const keys = this.byDb.get(db);
      const clients = keys?.get(key);
      if (!clients) continue;
      clients.delete(client);
      if (clients.size === 0) {
        keys!.delete(key);
        this.size--;
        if (keys!.size === 0) this.byDb.delete(db);
      }
    }
    client.watched = null;
    client.dirtyCas = false;
  }

  touch(db: Database, key: string): void {
    const clients = this.byDb.get(db)?.get(key);
    if (!clients) return;
    for (const c of clients) {
      const w = c.watched?.get(`${db.id}\0${key}`);
      if (w && w.expiredAtWatch) {
        // Deleting a key that had already expired at WATCH time changes nothing logically.
        if (!db.data.has(key)) {
          w.expiredAtWatch = false;
          continue;
        }
      }
      c.dirtyCas = true;
    }
  }

  /**
   * FLUSHDB/FLUSHALL (`replacedWith` undefined) and SWAPDB: Redis's
   * touchAllWatchedKeysInDb, including its rules for keys that were already stale.
   * Call before the contents change.
   */
  touchAll(emptied: Database, replacedWith?: Database): void {
    const keys = this.byDb.get(emptied);
    if (!keys) return;
    for (const [key, clients] of keys) {
      const existsInEmptied = emptied.data.has(key);
      const existsInReplacement = replacedWith !== undefined && replacedWith.data.has(key);
      if (!existsInEmptied && !existsInReplacement) continue;
      for (const c of clients) {
        const w = c.watched?.get(`${emptied.id}\0${key}`);
        if (!w) continue;
        if (w.expiredAtWatch) {
          if (!existsInReplacement) {
            // An expired key now deleted: no logical change.
            w.expiredAtWatch = false;
            continue;
          }
          if (replacedWith!.isLogicallyExpired(key)) continue;
        } else if (!existsInEmptied && replacedWith!.isLogicallyExpired(key)) {
          // A missing key replaced by an already expired one.
          w.expiredAtWatch = true;
          continue;
        }
        c.dirtyCas = true;
      }
    }
  }

  /** EXEC aborts when a watched key expired after WATCH (isWatchedKeyExpired). */
  anyExpired(client: Client): boolean {
    if (!client.watched) return false;
    for (const w of client.watched.values()) {
      if (!w.expiredAtWatch && w.db.isLogicallyExpired(w.key)) return true;
    }
    return false;
  }
}
