/**
 * RDB snapshots of a running server: SAVE, BGSAVE, the `save` schedule, loading at
 * start-up, the save on shutdown, and DEBUG RELOAD.
 *
 * Node cannot fork, so a background save is a point-in-time snapshot taken by
 * copy-on-write at the key level: the save walks each database's Map in time slices
 * (a few ms each, the event loop serves clients in between) while the command observer
 * writes out, before any write command runs, the keys it is about to change that the
 * walk has not reached yet. Every key is written exactly once, as it was when the save
 * started. Writes that touch keys the key specs cannot name (FLUSHALL, SWAPDB, MOVE,
 * COPY ... DB) finish the save synchronously first.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Database } from '../keyspace/database.js';
import type { RedisValue } from '../keyspace/value.js';
import type { Server } from '../server/server.js';
import { ScriptingEngine } from '../scripting/engine.js';
import { LibrarySet } from '../scripting/library-set.js';
import { RdbWriter } from './rdb-encoding.js';
import { readRdbFile, RdbLoadError, type RdbContents } from './rdb-reader.js';
import { RdbFileEncoder, writeEntry, type RdbValueOptions } from './rdb-writer.js';

/** Library sources to save. */
export function functionLibraryCodes(server: Server): string[] {
  return [...ScriptingEngine.of(server).libraries.live.libraries.values()].map((lib) => lib.code);
}

/**
 * Compiles loaded library sources into a set of their own. Throws RdbLoadError (nothing
 * changed) if a library fails.
 */
function compileFunctions(server: Server, codes: readonly string[]): LibrarySet {
  const compiled = ScriptingEngine.of(server).libraries.compileAll(codes);
  if (!(compiled instanceof LibrarySet)) throw new RdbLoadError(`Failed loading library: ${compiled.error}`);
  return compiled;
}

/** How loaded contents meet the current dataset (DEBUG RELOAD's NOFLUSH and MERGE). */
export interface InstallOptions {
  /** Empty the dataset first (the default). */
  flush?: boolean;
  /** Without flush: loaded keys and libraries replace existing ones instead of failing. */
  merge?: boolean;
}

/**
 * Installs loaded contents. By default it replaces the whole dataset (and functions),
 * all or nothing. Without flush, keys and libraries are added to the current ones; a
 * clash fails (RdbLoadError, keys untouched) unless merge.
 */
export function installContents(server: Server, contents: RdbContents, options: InstallOptions = {}): void {
  const flush = options.flush ?? true;
  for (const [id] of contents.databases) {
    if (id >= server.databases.length) throw new RdbLoadError(`Database ${id} is out of range`);
  }
  if (!flush) {
    if (!options.merge) {
      for (const [id, loaded] of contents.databases) {
        for (const key of loaded.data.keys()) {
          if (server.databases[id].data.has(key)) throw new RdbLoadError(`Duplicated key '${key}' in DB ${id}`);
        }
      }
    }
    addFunctions(server, contents.functions, options.merge ?? false);
    for (const [id, loaded] of contents.databases) {
      const db = server.databases[id];
      for (const [key, value] of loaded.data) {
        db.set(key, value);
        const when = loaded.expires.get(key);
        if (when !== undefined) db.setExpire(key, when);
      }
    }
    return;
  }
  // A full load replaces the libraries too (functionsLibCtxSwapWithCurrent).
  ScriptingEngine.of(server).libraries.live.swap(compileFunctions(server, contents.functions));
  for (const db of server.databases) {
    db.flush();
    const loaded = contents.databases.get(db.id);
    if (!loaded) continue;
    for (const [key, value] of loaded.data) db.data.set(key, value);
    for (const [key, when] of loaded.expires) db.expires.set(key, when);
  }
}

/**
 * Adds loaded libraries to the live ones (NOFLUSH), all or none: an existing library
 * is an error unless `replace` (MERGE), as is a function another library has.
 */
function addFunctions(server: Server, codes: readonly string[], replace: boolean): void {
  if (codes.length === 0) return;
  const clash = ScriptingEngine.of(server).libraries.live.join(compileFunctions(server, codes), replace ? 'replace' : 'append');
  if (clash !== null) throw new RdbLoadError(`Failed loading library: ${clash}`);
}

/** Reads an RDB file into fresh maps (throws RdbLoadError; the server is untouched). */
export function readRdbPath(
  server: Server,
  file: string,
  forAofPreamble = false,
  onExpiredDropped?: (dbId: number, key: string) => void,
  /** A replica keeps the keys its master has not expired yet (iAmMaster() is false). */
  keepExpired = false,
): RdbContents {
  const buffer = fs.readFileSync(file);
  return readRdbFile(buffer, {
    onExpiredDropped,
    limits: server.encodingLimits,
    databases: server.databases.length,
    dropExpiredBefore: forAofPreamble || keepExpired ? null : Date.now(),
    verifyChecksum: server.config.getBool('rdbchecksum'),
    allowTrailingData: forAofPreamble,
  });
}

/** Writes `chunks` to `file` through a temporary file, fsync and rename, like rdbSave. */
function writeFileAtomically(file: string, produce: (write: (bytes: Buffer) => void) => void): void {
  const temp = path.join(path.dirname(file), `temp-${process.pid}.rdb`);
  const fd = fs.openSync(temp, 'w');
  try {
    produce((bytes) => {
      let offset = 0;
      while (offset < bytes.length) offset += fs.writeSync(fd, bytes, offset);
    });
    fs.fsyncSync(fd);
  } catch (error) {
    fs.closeSync(fd);
    fs.rmSync(temp, { force: true });
    throw error;
  }
  fs.closeSync(fd);
  fs.renameSync(temp, file);
  fsyncDirectory(path.dirname(file));
}

/**
 * writeFileAtomically without blocking: `produce` writes to the temporary file `temp`
 * (beside `file`), which is then fsynced and renamed; removed if anything fails.
 */
export async function writeFileAtomicallyAsync(
  file: string,
  temp: string,
  produce: (handle: fs.promises.FileHandle) => Promise<void>,
): Promise<void> {
  let handle: fs.promises.FileHandle | null = null;
  try {
    await fs.promises.mkdir(path.dirname(file), { recursive: true });
    handle = await fs.promises.open(temp, 'w');
    await produce(handle);
    await handle.sync();
    await handle.close();
    handle = null;
    await fs.promises.rename(temp, file);
    fsyncDirectory(path.dirname(file));
  } catch (error) {
    if (handle) await handle.close().catch(() => {});
    await fs.promises.rm(temp, { force: true }).catch(() => {});
    throw error;
  }
}

export function fsyncDirectory(dir: string): void {
  try {
    const fd = fs.openSync(dir, 'r');
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    // Some file systems refuse fsync on directories; the rename is still done.
  }
}

/** How long one slice of a background save may run before yielding. */
const SLICE_MS = 1;
/** Bytes buffered before a chunk is handed to the file. */
const CHUNK_BYTES = 1 << 20;

/**
 * One point-in-time serialization of the server's databases. Call step() until it
 * returns true; drain() hands out the bytes produced so far. preserve() is called
 * before a key changes.
 */
export class SnapshotJob {
  private readonly encoder: RdbFileEncoder;
  private readonly databases: Database[];
  private readonly sizes: { size: number; expires: number }[];
  /** Index of the database being walked; databases before it are complete. */
  private current = -1;
  private walk: Iterator<[string, RedisValue]> | null = null;
  /** Keys already written (or known absent at the start), per database index. */
  private readonly written: (Set<string> | null)[];
  /** Keys of databases not reached yet, preserved ahead of the walk. */
  private readonly ahead = new Map<number, RdbWriter>();
  private readonly chunks: Buffer[] = [];
  finished = false;
  keysWritten = 0;
  /**
   * rdb-key-save-delay (a test knob: microseconds per key): a sliced run waits until
   * this time (performance.now() ms) before its next step. Runs to the end at once
   * (SAVE, finishNow) do not wait.
   */
  resumeAt = 0;
  private readonly keyDelayMs: number;

  constructor(
    server: Server,
    /** usedMemory: the used-mem aux field, when measuring it now would stall (replication). */
    options: { aofBase?: boolean; usedMemory?: number } = {},
  ) {
    this.encoder = new RdbFileEncoder(server.encodingLimits, {
      compression: server.config.getBool('rdbcompression'),
      checksum: server.config.getBool('rdbchecksum'),
    });
    this.databases = server.databases.slice();
    this.sizes = this.databases.map((db) => ({ size: db.size, expires: db.expires.size }));
    this.written = this.databases.map(() => null);
    this.keyDelayMs = Math.max(0, server.config.getInt('rdb-key-save-delay')) / 1000;
    this.encoder.header({ usedMemory: options.usedMemory ?? server.usedMemory(), aofBase: options.aofBase ?? false, replication: server.replication.saveInfo?.() ?? null }, functionLibraryCodes(server));
  }

  private get valueOptions(): RdbValueOptions {
    return this.encoder.valueOptions;
  }

  /** Before `key` of `db` changes: write it out now if the walk has not reached it. */
  preserve(db: Database, key: string): void {
    if (this.finished) return;
    const index = this.databases.indexOf(db);
    if (index < 0 || index < this.current || this.sizes[index]!.size === 0) return;
    let written = this.written[index];
    if (written === null) written = this.written[index] = new Set();
    if (written.has(key)) return;
    written.add(key);
    const value = db.data.get(key);
    if (value === undefined) return; // absent when the save started: must stay absent
    if (index === this.current) {
      this.encoder.entry(key, value, db.expires.get(key));
    } else {
      let writer = this.ahead.get(index);
      if (!writer) this.ahead.set(index, (writer = new RdbWriter(1024)));
      writeEntry(writer, key, value, db.expires.get(key), this.valueOptions);
    }
    this.keysWritten++;
  }

  /** Runs until `deadline` (ms, performance.now()) or the end; true when finished. */
  step(deadline: number): boolean {
    let counter = 0;
    while (!this.finished) {
      if (this.walk === null) {
        this.nextDatabase();
        continue;
      }
      const next = this.walk.next();
      if (next.done) {
        this.walk = null;
        continue;
      }
      const [key, value] = next.value;
      const written = this.written[this.current]!;
      if (!written.has(key)) {
        written.add(key);
        this.encoder.entry(key, value, this.databases[this.current]!.expires.get(key));
        this.keysWritten++;
      }
      // Per key of the walk, also one a write preserved already: Redis's child sleeps on
      // every key it saves, whatever the parent changes meanwhile.
      if (this.keyDelayMs > 0 && deadline !== Infinity) {
        this.resumeAt = performance.now() + this.keyDelayMs;
        if (this.encoder.pending !== 0) this.chunks.push(this.encoder.take());
        break;
      }
      if (this.encoder.pending >= CHUNK_BYTES) this.chunks.push(this.encoder.take());
      if ((++counter & 63) === 0 && performance.now() >= deadline) break;
    }
    return this.finished;
  }

  private nextDatabase(): void {
    this.current++;
    if (this.current >= this.databases.length) {
      this.chunks.push(this.encoder.end());
      this.finished = true;
      this.written.length = 0;
      return;
    }
    const sizes = this.sizes[this.current]!;
    if (sizes.size === 0) return; // Redis skips empty databases; walk stays null
    this.encoder.selectDb(this.current, sizes.size, sizes.expires);
    const ahead = this.ahead.get(this.current);
    if (ahead) {
      this.encoder.raw(ahead.view());
      this.ahead.delete(this.current);
    }
    if (this.written[this.current] === null) this.written[this.current] = new Set();
    this.walk = this.databases[this.current]!.data.entries();
  }

  /** Runs to the end now (before a change the copy-on-write cannot follow). */
  finishNow(): void {
    this.step(Infinity);
  }

  /** The bytes produced since the last drain. */
  drain(): Buffer[] {
    if (!this.finished && this.encoder.pending > 0) this.chunks.push(this.encoder.take());
    return this.chunks.splice(0, this.chunks.length);
  }
}

/** Saves the dataset to `file` synchronously (SAVE, SHUTDOWN, FLUSHALL, DEBUG RELOAD). */
export function saveRdbSync(server: Server, file: string, options: { aofBase?: boolean } = {}): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  writeFileAtomically(file, (write) => {
    const job = new SnapshotJob(server, options);
    while (!job.step(Infinity));
    for (const chunk of job.drain()) write(chunk);
  });
}

/**
 * A background save in progress: the job produces chunks in slices; they are
 * appended to a temporary file that is fsynced and renamed at the end.
 */
export class BackgroundSave {
  readonly job: SnapshotJob;
  readonly startedAt = Date.now();
  private cancelled = false;
  readonly done: Promise<boolean>;

  constructor(
    private readonly server: Server,
    readonly file: string,
    /** usedMemory: the used-mem aux field, when measuring it now would stall (replication). */
    options: { aofBase?: boolean; usedMemory?: number } = {},
  ) {
    this.job = new SnapshotJob(server, options);
    this.done = this.run();
  }

  cancel(): void {
    this.cancelled = true;
  }

  private async run(): Promise<boolean> {
    const temp = path.join(path.dirname(this.file), `temp-bg-${process.pid}-${this.startedAt}.rdb`);
    try {
      await writeFileAtomicallyAsync(this.file, temp, async (handle) => {
        for (;;) {
          if (this.cancelled) throw new Error('cancelled');
          const finished = this.job.step(performance.now() + SLICE_MS);
          for (const chunk of this.job.drain()) await handle.write(chunk);
          if (finished) break;
          const wait = this.job.resumeAt - performance.now();
          await new Promise<void>((resolve) => (wait > 0 ? setTimeout(resolve, wait) : setImmediate(resolve)));
        }
        if (this.cancelled) throw new Error('cancelled');
      });
      return true;
    } catch (error) {
      this.job.finished = true;
      if (!this.cancelled) this.server.log.warning(`Background saving error: ${(error as Error).message}`);
      return false;
    }
  }
}
