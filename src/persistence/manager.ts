/**
 * Ties persistence to a running server: what is loaded at start-up, the BGSAVE and
 * BGREWRITEAOF in progress, the `save` schedule, the save on shutdown, and the hooks
 * the propagator (src/server/propagation.ts) calls: the AOF sink and the copy-on-write
 * of a background save.
 *
 * Persistence is on when `dir` is configured or `appendonly` is yes; an embedded
 * server without either stays in memory (SAVE then writes nothing).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Database } from '../keyspace/database.js';
import { ErrorReply, type Reply } from '../protocol/reply.js';
import type { Client } from '../server/client.js';
import type { ReplicationSaveInfo, Server } from '../server/server.js';
import { Slot } from '../server/slot.js';
import { lookupCommand, type CommandEntry } from '../commands/registry.js';
import { extractKeys } from '../commands/table/keys.js';
import { Propagator, type PersistenceHooks } from '../server/propagation.js';
import { AppendOnlyFile } from './aof.js';
import { BackgroundSave, installContents, readRdbPath, saveRdbSync, SnapshotJob, writeFileAtomicallyAsync } from './snapshot.js';
import { readRdbFile } from './rdb-reader.js';

/** Writes whose effect on keys the key specs cannot name: a background save completes first. */
const COMPLETE_SAVE_FIRST = new Set(['flushall', 'flushdb', 'swapdb', 'move']);

/** The replication aux fields of an RDB loaded at start-up, and the keys it held already expired. */
export interface LoadedReplicationInfo extends ReplicationSaveInfo {
  expired: { dbId: number; key: string }[];
}

export class PersistenceManager implements PersistenceHooks {
  bgsave: BackgroundSave | null = null;
  lastBgsaveOk = true;
  private lastBgsaveAttempt = 0;
  bgsaveScheduled = false;
  aof: AppendOnlyFile | null = null;
  rdbSaves = 0;
  keysLoaded = 0;
  keysExpiredAtLoad = 0;
  private cron: NodeJS.Timeout | null = null;
  private started = false;

  private constructor(readonly server: Server) {}

  static readonly slot = new Slot('persistence', (server: Server) => new PersistenceManager(server));

  static of(server: Server): PersistenceManager {
    return server.slot(PersistenceManager.slot);
  }

  /** Whether this server writes files at all. */
  get enabled(): boolean {
    return this.server.config.get('dir') !== '' || this.server.config.getBool('appendonly');
  }

  get rdbPath(): string {
    return path.join(this.server.config.get('dir') || '.', this.server.config.get('dbfilename'));
  }

  private get saveParams(): [number, number][] {
    const parts = this.server.config.get('save').trim().split(/\s+/).filter(Boolean).map(Number);
    const out: [number, number][] = [];
    for (let i = 0; i + 1 < parts.length; i += 2) out.push([parts[i]!, parts[i + 1]!]);
    return out;
  }

  /** Snapshots taken for replicas (full syncs), kept point-in-time like a BGSAVE. */
  private readonly replicaSnapshots = new Set<SnapshotJob>();

  /** A full sync's snapshot: writes preserve its keys until untrackSnapshot. */
  trackSnapshot(job: SnapshotJob): void {
    this.replicaSnapshots.add(job);
  }

  untrackSnapshot(job: SnapshotJob): void {
    this.replicaSnapshots.delete(job);
  }

  /** A snapshot for replicas is being taken (INFO's rdb_bgsave_in_progress counts it, as Redis's fork). */
  get replicaSnapshotRunning(): boolean {
    return this.replicaSnapshots.size !== 0;
  }

  /** The point-in-time job running now (BGSAVE or AOF rewrite), if any. */
  private get activeJob(): SnapshotJob | null {
    if (this.bgsave) return this.bgsave.job;
    if (this.aof?.rewrite) return this.aof.rewrite.save.job;
    return null;
  }

  // -- start-up and shutdown ---------------------------------------------------------------

  /**
   * Loads the data (AOF when appendonly is on, else the RDB file), opens the AOF, and
   * starts the schedule. Throws (leaving the server empty) when a file cannot be loaded.
   */
  start(): void {
    if (this.started) return;
    this.started = true;
    const server = this.server;
    server.shutdownHooks.push(() => this.onShutdown());
    // CONFIG SET appendonly yes can turn persistence on later, even for a server that
    // started in memory.
    Propagator.of(server).persistence = this;
    this.watchConfig();
    if (!this.enabled) return;
    fs.mkdirSync(server.config.get('dir') || '.', { recursive: true });
    const started = Date.now();
    if (server.config.getBool('appendonly')) {
      const aof = new AppendOnlyFile(server);
      if (aof.exists()) {
        const { commands } = aof.load();
        server.log.notice(`DB loaded from append only file: ${((Date.now() - started) / 1000).toFixed(3)} seconds (${commands} commands)`);
      } else if (fs.existsSync(this.rdbPath)) {
        this.loadRdb();
      }
      aof.open();
      this.aof = aof;
    } else if (fs.existsSync(this.rdbPath)) {
      this.loadRdb();
      server.log.notice(`DB loaded from disk: ${((Date.now() - started) / 1000).toFixed(3)} seconds`);
    }
    server.dirty = 0;
    this.cron = setInterval(() => this.tick(), 100);
    this.cron.unref();
  }

  /** DEBUG LOADAOF: flush the AOF, empty the dataset and load the AOF files again. */
  loadAof(): void {
    const server = this.server;
    this.aof?.flush();
    for (const db of server.databases) db.flush();
    const aof = new AppendOnlyFile(server);
    if (aof.exists()) aof.load();
    server.dirty = 0;
    server.log.warning('Append Only File loaded by DEBUG LOADAOF');
  }

  /** The replication aux fields of the RDB loaded at start-up (repl-id, repl-offset...). */
  loadedReplicationInfo: LoadedReplicationInfo | null = null;

  /** Keys an RDB loaded at start-up held already expired (a master's backlog gets their DELs). */
  expiredAtLoad: { dbId: number; key: string }[] = [];

  private loadRdb(): void {
    const expired: { dbId: number; key: string }[] = [];
    const asReplica = this.server.config.get('replicaof').trim() !== '';
    const contents = readRdbPath(this.server, this.rdbPath, false, (dbId, key) => expired.push({ dbId, key }), asReplica);
    this.expiredAtLoad = expired;
    installContents(this.server, contents);
    const id = contents.aux.get('repl-id');
    const offset = Number(contents.aux.get('repl-offset') ?? -1);
    const streamDb = Number(contents.aux.get('repl-stream-db') ?? -1);
    // loadDataFromDisk's rsi_is_valid.
    if (id !== undefined && id.length === 40 && Number.isSafeInteger(offset) && offset !== -1 && streamDb !== -1) {
      this.loadedReplicationInfo = { streamDb, replId: id, offset, expired };
    }
    this.keysLoaded = contents.keysLoaded;
    this.keysExpiredAtLoad = contents.keysExpired;
  }

  /** CONFIG SET appendonly yes|no at run time turns the AOF on (from the dataset) or off. */
  private watchConfig(): void {
    const config = this.server.config;
    const previous = config.onChange;
    config.onChange = (name, value) => {
      previous?.(name, value);
      if (name !== 'appendonly' || !this.enabled) return;
      if (value === 'yes' && this.aof === null) {
        const aof = new AppendOnlyFile(this.server);
        aof.openFresh();
        this.aof = aof;
      } else if (value === 'no' && this.aof !== null) {
        this.aof.close();
        this.aof = null;
      }
    };
  }

  private onShutdown(): void {
    const server = this.server;
    if (this.cron) clearInterval(this.cron);
    this.cron = null;
    Propagator.of(server).persistence = null;
    const request = server.shutdownRequest;
    if (this.bgsave) {
      this.bgsave.cancel();
      this.bgsave = null;
    }
    if (this.aof) {
      this.aof.close();
      this.aof = null;
    }
    const wantSave = request?.save || (!request?.nosave && this.saveParams.length > 0);
    if (this.enabled && wantSave) {
      server.log.notice('Saving the final RDB snapshot before exiting.');
      this.saveNow();
    }
  }

  // -- SAVE / BGSAVE -----------------------------------------------------------------------

  /** SAVE: null on success, else the error reply text. */
  save(): string | null {
    if (this.bgsave) return 'ERR Background save already in progress';
    try {
      this.saveNow();
      return null;
    } catch (error) {
      this.server.log.warning(`Failed saving the DB: ${(error as Error).message}`);
      return 'ERR';
    }
  }

  private saveNow(): void {
    if (this.enabled) saveRdbSync(this.server, this.rdbPath);
    this.afterSave(true);
  }

  private afterSave(ok: boolean, dirtyAtStart = this.server.dirty): void {
    if (!ok) {
      this.lastBgsaveOk = false;
      return;
    }
    this.server.dirty -= dirtyAtStart;
    this.server.lastSave = Math.floor(Date.now() / 1000);
    this.lastBgsaveOk = true;
    this.rdbSaves++;
  }

  /**
   * A disk-form full sync's snapshot, which Redis takes as a BGSAVE to the RDB file:
   * written the same way (temporary file, fsync, rename), counted as a save.
   */
  saveReplicationSnapshot(payload: Buffer): void {
    const dirtyAtStart = this.server.dirty;
    const file = this.rdbPath;
    const temp = path.join(path.dirname(file), `temp-${process.pid}-repl.rdb`);
    writeFileAtomicallyAsync(file, temp, async (handle) => {
      await handle.writeFile(payload);
    }).then(
      () => {
        this.afterSave(true, dirtyAtStart);
        this.server.log.notice('Background saving terminated with success');
      },
      (error: Error) => {
        this.server.log.warning(`Background saving error: ${error.message}`);
        this.afterSave(false);
      },
    );
  }

  /** BGSAVE [SCHEDULE]: the status reply, or an ErrorReply. */
  bgsaveCommand(schedule: boolean): Reply {
    if (this.bgsave) return new ErrorReply('ERR Background save already in progress');
    if (this.aof?.rewrite) {
      if (!schedule) {
        return new ErrorReply(
          "ERR Another child process is active (AOF?): can't BGSAVE right now. Use BGSAVE SCHEDULE in order to schedule a BGSAVE whenever possible.",
        );
      }
      this.bgsaveScheduled = true;
      return 'Background saving scheduled';
    }
    this.startBgsave();
    return 'Background saving started';
  }

  startBgsave(): void {
    this.lastBgsaveAttempt = Date.now();
    if (!this.enabled) {
      // In-memory server: nothing to write, but the save "happens".
      this.afterSave(true);
      return;
    }
    const dirtyAtStart = this.server.dirty;
    const save = new BackgroundSave(this.server, this.rdbPath);
    this.bgsave = save;
    void save.done.then((ok) => {
      if (this.bgsave !== save) return;
      this.bgsave = null;
      this.afterSave(ok, dirtyAtStart);
      if (ok) this.server.log.notice('Background saving terminated with success');
    });
  }

  /** BGREWRITEAOF: the status reply or an ErrorReply. */
  bgrewriteaofCommand(): Reply {
    if (this.aof?.rewrite) return new ErrorReply('ERR Background append only file rewriting already in progress');
    if (this.bgsave) {
      if (this.aof) this.aof.rewriteScheduled = true;
      return 'Background append only file rewriting scheduled';
    }
    if (!this.aof) {
      // Redis rewrites even with appendonly no; lunakv has nothing to rewrite then.
      return 'Background append only file rewriting started';
    }
    this.aof.startRewrite();
    return 'Background append only file rewriting started';
  }

  /** serverCron: the `save` schedule and scheduled jobs. */
  private tick(): void {
    if (this.bgsave || this.aof?.rewrite) return;
    if (this.aof?.rewriteScheduled) {
      this.aof.rewriteScheduled = false;
      this.aof.startRewrite();
      return;
    }
    if (this.bgsaveScheduled) {
      this.bgsaveScheduled = false;
      this.startBgsave();
      return;
    }
    const now = Date.now();
    const sinceSave = now / 1000 - this.server.lastSave;
    for (const [seconds, changes] of this.saveParams) {
      // After a failed save, retry no sooner than 5 seconds (CONFIG_BGSAVE_RETRY_DELAY).
      if (this.server.dirty >= changes && sinceSave > seconds && (this.lastBgsaveOk || now - this.lastBgsaveAttempt > 5000)) {
        this.server.log.notice(`${changes} changes in ${seconds} seconds. Saving...`);
        this.startBgsave();
        return;
      }
    }
  }

  /** DEBUG RELOAD: save, empty, load back. */
  /**
   * DEBUG RELOAD [MERGE] [NOFLUSH] [NOSAVE]: save (unless NOSAVE), then load the RDB
   * back, emptying the dataset first (unless NOFLUSH). Without a dir, the RDB is an
   * in-memory image kept from the last reload.
   */
  reload(options: { save?: boolean; flush?: boolean; merge?: boolean } = {}): void {
    const save = options.save ?? true;
    const install = { flush: options.flush ?? true, merge: options.merge ?? false };
    if (!this.enabled) {
      if (save || this.memoryImage === null) {
        const job = new SnapshotJob(this.server, {});
        while (!job.step(Infinity));
        this.memoryImage = Buffer.concat([...job.drain()]);
      }
      const contents = readRdbFile(this.memoryImage, {
        limits: this.server.encodingLimits,
        databases: this.server.databases.length,
        dropExpiredBefore: Date.now(),
        verifyChecksum: true,
        allowTrailingData: false,
      });
      installContents(this.server, contents, install);
      return;
    }
    if (save) this.saveNow();
    installContents(this.server, readRdbPath(this.server, this.rdbPath), install);
  }

  /** The last in-memory RDB image of a server without a dir (DEBUG RELOAD NOSAVE). */
  private memoryImage: Buffer | null = null;

  // -- CommandObserver ---------------------------------------------------------------------

  beforeWrite(client: Client, entry: CommandEntry, args: string[]): void {
    const job = this.activeJob;
    if (job !== null) this.keepPointInTime(job, client, entry, args);
    if (this.replicaSnapshots.size !== 0) for (const j of this.replicaSnapshots) this.keepPointInTime(j, client, entry, args);
  }

  /** Before a write: the job writes out the keys it will change (or finishes first). */
  private keepPointInTime(job: SnapshotJob, client: Client, entry: CommandEntry, args: string[]): void {
    const name = entry.spec.fullName;
    if (COMPLETE_SAVE_FIRST.has(name) || (name === 'copy' && args.some((a) => a.toLowerCase() === 'db'))) {
      job.finishNow();
      return;
    }
    for (const ref of extractKeys(entry.spec, args)) job.preserve(client.db, args[ref.pos]!);
  }

  get aofEnabled(): boolean {
    return this.aof !== null;
  }

  appendToAof(dbId: number, argv: readonly string[]): void {
    this.aof?.append(dbId, argv);
  }

  /** FLUSHALL: a running BGSAVE is dropped; with save points the empty dataset is saved. */
  afterFlushAll(): void {
    if (this.bgsave) {
      this.bgsave.cancel();
      this.bgsave = null;
    }
    if (this.enabled && this.saveParams.length > 0) {
      try {
        this.saveNow();
      } catch (error) {
        this.server.log.warning(`Failed saving the DB after FLUSHALL: ${(error as Error).message}`);
      }
    }
    // flushallCommand ends with dirty++ (after its save).
    this.server.dirty++;
  }

  beforeBlockedServe(_client: Client, db: Database, args: string[]): void {
    const active = this.activeJob;
    if (active === null && this.replicaSnapshots.size === 0) return;
    const entry = lookupCommand(args[0]!);
    if (!entry) return;
    for (const job of active !== null ? [active, ...this.replicaSnapshots] : this.replicaSnapshots) {
      for (const ref of extractKeys(entry.spec, args)) job.preserve(db, args[ref.pos]!);
    }
  }
}

/** DEBUG RELOAD for the server-admin commands. */
export function debugReload(server: Server, options: { save?: boolean; flush?: boolean; merge?: boolean } = {}): void {
  PersistenceManager.of(server).reload(options);
}
