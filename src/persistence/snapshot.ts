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
import { Slot } from '../server/slot.js';
import { LibrarySet } from '../scripting/functions.js';
import { ScriptingEngine } from '../scripting/engine.js';
import { RdbWriter } from './rdb-encoding.js';
import { readRdbFile, RdbLoadError, type RdbContents } from './rdb-reader.js';
import { RdbFileEncoder, writeEntry, type RdbValueOptions } from './rdb-writer.js';

/**
 * The scripting engine's slot. It belongs in scripting/engine.ts (ScriptingEngine.of
 * still keeps the engine in server.extensions under this name), which is being
 * refactored: until it moves there, it lives with its main reader.
 */
export const scriptingSlot = new Slot('scripting', (server: Server) => ScriptingEngine.of(server));

/** Library sources to save (none when scripting was never used). */
export function functionLibraryCodes(server: Server): string[] {
  const engine = server.existingSlot(scriptingSlot);
  if (!engine) return [];
  return [...engine.libraries.live.libraries.values()].map((lib) => lib.code);
}

/**
 * Compiles loaded library sources into a fresh set; returns a function that makes it
 * live. Throws RdbLoadError (nothing changed) if a library fails.
 */
function prepareFunctions(server: Server, codes: readonly string[]): () => void {
  const existing = server.existingSlot(scriptingSlot);
  if (codes.length === 0) {
    return () => {
      if (existing) existing.libraries.live = new LibrarySet();
    };
  }
  const libraries = ScriptingEngine.of(server).libraries;
  const scratch = new LibrarySet();
  for (const code of codes) {
    const result = libraries.create(code, scratch, false, 0);
    if (typeof result !== 'string') throw new RdbLoadError(`Failed loading library: ${result.error}`);
  }
  return () => {
    libraries.live = scratch;
  };
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
  const commitFunctions = prepareFunctions(server, contents.functions);
  commitFunctions();
  for (const db of server.databases) {
    db.flush();
    const loaded = contents.databases.get(db.id);
    if (!loaded) continue;
    for (const [key, value] of loaded.data) db.data.set(key, value);
    for (const [key, when] of loaded.expires) db.expires.set(key, when);
  }
}

/** Adds libraries to the live set (NOFLUSH); an existing one is an error unless replace. */
function addFunctions(server: Server, codes: readonly string[], replace: boolean): void {
  if (codes.length === 0) return;
  const libraries = ScriptingEngine.of(server).libraries;
  for (const code of codes) {
    const result = libraries.create(code, libraries.live, replace, 0);
    if (typeof result !== 'string') throw new RdbLoadError(`Failed loading library: ${result.error}`);
  }
}

/** Reads an RDB file into fresh maps (throws RdbLoadError; the server is untouched). */
export function readRdbPath(server: Server, file: string, forAofPreamble = false): RdbContents {
  const buffer = fs.readFileSync(file);
  return readRdbFile(buffer, {
    limits: server.encodingLimits,
    databases: server.databases.length,
    dropExpiredBefore: forAofPreamble ? null : Date.now(),
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

  constructor(
    server: Server,
    options: { aofBase?: boolean } = {},
  ) {
    this.encoder = new RdbFileEncoder(server.encodingLimits, {
      compression: server.config.getBool('rdbcompression'),
      checksum: server.config.getBool('rdbchecksum'),
    });
    this.databases = server.databases.slice();
    this.sizes = this.databases.map((db) => ({ size: db.size, expires: db.expires.size }));
    this.written = this.databases.map(() => null);
    this.encoder.header({ usedMemory: server.usedMemory(), aofBase: options.aofBase ?? false }, functionLibraryCodes(server));
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
    options: { aofBase?: boolean } = {},
  ) {
    this.job = new SnapshotJob(server, options);
    this.done = this.run();
  }

  cancel(): void {
    this.cancelled = true;
  }

  private async run(): Promise<boolean> {
    const temp = path.join(path.dirname(this.file), `temp-bg-${process.pid}-${this.startedAt}.rdb`);
    let handle: fs.promises.FileHandle | null = null;
    try {
      await fs.promises.mkdir(path.dirname(this.file), { recursive: true });
      handle = await fs.promises.open(temp, 'w');
      for (;;) {
        if (this.cancelled) throw new Error('cancelled');
        const finished = this.job.step(performance.now() + SLICE_MS);
        for (const chunk of this.job.drain()) await handle.write(chunk);
        if (finished) break;
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
      await handle.sync();
      await handle.close();
      handle = null;
      if (this.cancelled) throw new Error('cancelled');
      await fs.promises.rename(temp, this.file);
      fsyncDirectory(path.dirname(this.file));
      return true;
    } catch (error) {
      this.job.finished = true;
      if (handle) await handle.close().catch(() => {});
      await fs.promises.rm(temp, { force: true }).catch(() => {});
      if (!this.cancelled) this.server.log.warning(`Background saving error: ${(error as Error).message}`);
      return false;
    }
  }
}
