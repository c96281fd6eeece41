/**
 * The append-only file, in Redis 7.0's multi-part layout:
 *
 *   <dir>/<appenddirname>/<appendfilename>.manifest
 *       file appendonly.aof.1.base.rdb seq 1 type b
 *       file appendonly.aof.1.incr.aof seq 1 type i
 *
 * The base is an RDB (aof-use-rdb-preamble yes) or commands; write commands are
 * appended to the last incr file as RESP arrays, with SELECT when the database
 * changes. Commands arrive in the form Redis propagates them (src/server/propagation.ts:
 * relative expirations made absolute, MULTI ... EXEC around transactions and scripts),
 * so that replaying them later gives the same data.
 *
 * BGREWRITEAOF opens a new incr file and, at the same instant, starts a point-in-time
 * snapshot (SnapshotJob) that becomes the new base; the manifest then switches to the
 * new base + new incr and the old files are deleted.
 */
import { formatId, sortedById, type RedisStream } from '../keyspace/types/stream.js';
import fs from 'node:fs';
import path from 'node:path';
import { typeOf } from '../keyspace/value.js';
import type { Client } from '../server/client.js';
import type { Server } from '../server/server.js';
import { DEFERRED, processCommand } from '../server/dispatch.js';
import { Client as FakeClient } from '../server/client.js';
import type { RedisHash } from '../keyspace/types/hash.js';
import type { RedisList } from '../keyspace/types/list.js';
import type { RedisSet } from '../keyspace/types/set.js';
import type { RedisZSet } from '../keyspace/types/zset.js';
import { readRdbPath, installContents, fsyncDirectory, BackgroundSave, saveRdbSync } from './snapshot.js';
import { formatG17 } from './rdb-writer.js';
import { encodeCommand } from '../server/propagation.js';

/** One line of the manifest. */
interface ManifestFile {
  name: string;
  seq: number;
  type: 'b' | 'h' | 'i';
}

/** The AOF cannot be loaded (corrupt, truncated without aof-load-truncated, unknown command). */
export class AofLoadError extends Error {
  override name = 'AofLoadError';
}

// ---------------------------------------------------------------------------------------
// The AOF itself

export class AppendOnlyFile {
  readonly directory: string;
  private readonly manifestName: string;
  private base: ManifestFile | null = null;
  private incrs: ManifestFile[] = [];
  private fd = -1;
  private selectedDb = -1;
  private pending: string[] = [];
  private pendingBytes = 0;
  private flushQueued = false;
  private fsyncTimer: NodeJS.Timeout | null = null;
  private unsyncedWrites = false;
  rewrite: { save: BackgroundSave; newIncr: ManifestFile; newBaseName: string } | null = null;
  lastRewriteOk = true;
  rewriteScheduled = false;

  constructor(private readonly server: Server) {
    const config = server.config;
    this.directory = path.join(config.get('dir') || '.', config.get('appenddirname'));
    this.manifestName = `${config.get('appendfilename')}.manifest`;
  }

  get manifestPath(): string {
    return path.join(this.directory, this.manifestName);
  }

  exists(): boolean {
    return fs.existsSync(this.manifestPath);
  }

  // -- loading ---------------------------------------------------------------------------

  /** Loads every file listed in the manifest into the server (which must be empty). */
  load(): { commands: number } {
    this.readManifest();
    const files: ManifestFile[] = [...(this.base ? [this.base] : []), ...this.incrs];
    const client = new FakeClient(this.server, null);
    client.authenticated = true;
    client.mustObey = true;
    let commands = 0;
    for (let i = 0; i < files.length; i++) {
      const file = files[i]!;
      const full = path.join(this.directory, file.name);
      if (!fs.existsSync(full)) {
        if (file.type === 'i' && i === files.length - 1) continue; // created lazily
        throw new AofLoadError(`Append only file ${file.name} listed in the manifest does not exist`);
      }
      let start = 0;
      const buffer = fs.readFileSync(full);
      if (buffer.length >= 5 && buffer.toString('latin1', 0, 5) === 'REDIS') {
        if (file.type !== 'b') throw new AofLoadError(`Incremental file ${file.name} holds an RDB`);
        const contents = readRdbPath(this.server, full, true);
        installContents(this.server, contents);
        start = contents.length;
      }
      commands += this.replay(client, buffer, start, file, i === files.length - 1);
    }
    if (client.multi) client.multi = null; // a MULTI never closed by EXEC is discarded
    this.server.removeClient(client);
    return { commands };
  }

  private replay(client: Client, buffer: Buffer, start: number, file: ManifestFile, last: boolean): number {
    let position = start;
    let count = 0;
    const length = buffer.length;
    while (position < length) {
      const commandStart = position;
      const parsed = parseCommandAt(buffer, position);
      if (parsed === 'truncated') {
        if (!last || !this.server.config.getBool('aof-load-truncated')) {
          throw new AofLoadError(`Unexpected end of file reading the append only file ${file.name}`);
        }
        this.server.log.warning(
          `!!! Warning: short read while loading the AOF file ${file.name}!!! AOF loaded anyway because aof-load-truncated is enabled`,
        );
        fs.truncateSync(path.join(this.directory, file.name), commandStart);
        break;
      }
      if (parsed === 'bad') throw new AofLoadError(`Bad file format reading the append only file ${file.name}`);
      position = parsed.end;
      if (parsed.argv === null) continue; // annotation line
      this.server.clock.now = Date.now();
      const result = processCommand(client, parsed.argv);
      if (result === DEFERRED) throw new AofLoadError('The AOF could not be replayed (server paused)');
      count++;
    }
    return count;
  }

  private readManifest(): void {
    const text = fs.readFileSync(this.manifestPath, 'latin1');
    this.base = null;
    this.incrs = [];
    for (const rawLine of text.split('\n')) {
      const line = rawLine.trim();
      if (line === '' || line.startsWith('#')) continue;
      const parts = line.split(/\s+/);
      const fields = new Map<string, string>();
      for (let i = 0; i + 1 < parts.length; i += 2) fields.set(parts[i]!, parts[i + 1]!);
      const name = fields.get('file');
      const seq = Number(fields.get('seq'));
      const type = fields.get('type');
      if (!name || !Number.isInteger(seq) || (type !== 'b' && type !== 'h' && type !== 'i') || name.includes('/')) {
        throw new AofLoadError(`Invalid AOF manifest line: ${line}`);
      }
      const entry: ManifestFile = { name, seq, type };
      if (type === 'b') this.base = entry;
      else if (type === 'i') this.incrs.push(entry);
    }
    this.incrs.sort((a, b) => a.seq - b.seq);
  }

  // -- writing ---------------------------------------------------------------------------

  /**
   * Starts appending: creates the directory, a base (from the current dataset) and an
   * incr file when there is no manifest yet, else opens the last incr file.
   */
  /**
   * CONFIG SET appendonly yes on a running server: like Redis's startAppendOnly, the
   * AOF starts over from the current dataset (a new base); files from an earlier AOF in
   * the directory are history and are removed.
   */
  openFresh(): void {
    if (fs.existsSync(this.directory)) {
      const prefix = this.server.config.get('appendfilename') + '.';
      for (const name of fs.readdirSync(this.directory)) {
        if (name.startsWith(prefix)) fs.rmSync(path.join(this.directory, name), { force: true });
      }
    }
    this.base = null;
    this.incrs = [];
    this.open();
  }

  open(): void {
    fs.mkdirSync(this.directory, { recursive: true });
    if (!this.exists()) {
      const base = this.newBase(1);
      this.writeBase(path.join(this.directory, base.name));
      this.base = base;
      this.incrs = [this.incrFile(1)];
      this.writeManifest();
    } else if (this.incrs.length === 0) {
      this.incrs = [this.incrFile((this.base?.seq ?? 0) + 1)];
      this.writeManifest();
    }
    this.openIncr(this.incrs[this.incrs.length - 1]!);
    this.startFsyncTimer();
  }

  private newBase(seq: number): ManifestFile {
    const rdb = this.server.config.getBool('aof-use-rdb-preamble');
    return { name: `${this.server.config.get('appendfilename')}.${seq}.base.${rdb ? 'rdb' : 'aof'}`, seq, type: 'b' };
  }

  private incrFile(seq: number): ManifestFile {
    return { name: `${this.server.config.get('appendfilename')}.${seq}.incr.aof`, seq, type: 'i' };
  }

  /** A base file written synchronously from the current dataset. */
  private writeBase(file: string): void {
    if (file.endsWith('.rdb')) {
      saveRdbSync(this.server, file, { aofBase: true });
      return;
    }
    const temp = `${file}.tmp`;
    fs.writeFileSync(temp, datasetAsCommands(this.server));
    const fd = fs.openSync(temp, 'r+');
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fs.renameSync(temp, file);
  }

  private openIncr(file: ManifestFile): void {
    if (this.fd >= 0) fs.closeSync(this.fd);
    this.fd = fs.openSync(path.join(this.directory, file.name), 'a');
    this.selectedDb = -1;
  }

  /** Writes the manifest through a temporary file (base, history, incr order as Redis). */
  private writeManifest(): void {
    let text = '';
    if (this.base) text += `file ${this.base.name} seq ${this.base.seq} type b\n`;
    for (const incr of this.incrs) text += `file ${incr.name} seq ${incr.seq} type i\n`;
    const temp = path.join(this.directory, `temp-${this.manifestName}`);
    fs.writeFileSync(temp, text);
    const fd = fs.openSync(temp, 'r+');
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fs.renameSync(temp, this.manifestPath);
    fsyncDirectory(this.directory);
  }

  /** Logs one command that ran in database `dbId`. */
  append(dbId: number, argv: readonly string[]): void {
    if (this.fd < 0) return;
    let text = '';
    if (dbId !== this.selectedDb) {
      text += encodeCommand(['SELECT', String(dbId)]);
      this.selectedDb = dbId;
    }
    text += encodeCommand(argv);
    this.pending.push(text);
    this.pendingBytes += text.length;
    const policy = this.server.config.get('appendfsync');
    if (policy === 'always') {
      this.flush();
      fs.fsyncSync(this.fd);
      return;
    }
    if (this.pendingBytes > 1 << 20) this.flush();
    else if (!this.flushQueued) {
      this.flushQueued = true;
      queueMicrotask(() => this.flush());
    }
  }

  /** Writes what is buffered to the file (the OS has it from here on). */
  flush(): void {
    this.flushQueued = false;
    if (this.pending.length === 0 || this.fd < 0) return;
    const bytes = Buffer.from(this.pending.join(''), 'latin1');
    this.pending = [];
    this.pendingBytes = 0;
    let offset = 0;
    while (offset < bytes.length) offset += fs.writeSync(this.fd, bytes, offset);
    this.unsyncedWrites = true;
  }

  private startFsyncTimer(): void {
    this.fsyncTimer = setInterval(() => {
      if (this.server.config.get('appendfsync') !== 'everysec' || !this.unsyncedWrites || this.fd < 0) return;
      this.flush();
      this.unsyncedWrites = false;
      fs.fsync(this.fd, () => {});
    }, 1000);
    this.fsyncTimer.unref();
  }

  /** Flushes, fsyncs and closes (shutdown, appendonly no). */
  close(): void {
    if (this.fsyncTimer) clearInterval(this.fsyncTimer);
    this.fsyncTimer = null;
    if (this.rewrite) {
      this.rewrite.save.cancel();
      this.rewrite = null;
    }
    if (this.fd < 0) return;
    this.flush();
    fs.fsyncSync(this.fd);
    fs.closeSync(this.fd);
    this.fd = -1;
  }

  // -- rewriting -------------------------------------------------------------------------

  /** BGREWRITEAOF: new incr file now, new base from a snapshot of this instant. */
  startRewrite(): void {
    this.flush();
    const last = this.incrs[this.incrs.length - 1]!;
    const newIncr = this.incrFile(last.seq + 1);
    const newBase = this.newBase((this.base?.seq ?? 0) + 1);
    // The new incr is listed at once, so a crash during the rewrite loses nothing.
    this.incrs.push(newIncr);
    this.writeManifest();
    this.openIncr(newIncr);
    const target = path.join(this.directory, newBase.name);
    if (!newBase.name.endsWith('.rdb')) {
      // Commands base: written synchronously (no point-in-time walk for this format).
      this.writeBase(target);
      this.finishRewrite(newBase, newIncr);
      return;
    }
    const save = new BackgroundSave(this.server, target, { aofBase: true });
    this.rewrite = { save, newIncr, newBaseName: newBase.name };
    void save.done.then((ok) => {
      if (this.rewrite?.save !== save) return;
      this.rewrite = null;
      this.lastRewriteOk = ok;
      if (ok) this.finishRewrite(newBase, newIncr);
    });
  }

  private finishRewrite(newBase: ManifestFile, newIncr: ManifestFile): void {
    const obsolete = [...(this.base ? [this.base] : []), ...this.incrs.filter((f) => f.seq < newIncr.seq)];
    this.base = newBase;
    this.incrs = this.incrs.filter((f) => f.seq >= newIncr.seq);
    this.writeManifest();
    for (const file of obsolete) {
      if (file.name !== newBase.name) fs.rmSync(path.join(this.directory, file.name), { force: true });
    }
    this.lastRewriteOk = true;
    this.server.log.notice('Background AOF rewrite finished successfully');
  }
}

/** A commands-only base: SELECT, then one command per key with PEXPIREAT where needed. */
function datasetAsCommands(server: Server): string {
  const parts: string[] = [];
  for (const db of server.databases) {
    if (db.size === 0) continue;
    parts.push(encodeCommand(['SELECT', String(db.id)]));
    for (const [key, value] of db.data) {
      switch (typeOf(value)) {
        case 'string':
          parts.push(encodeCommand(['SET', key, value as string]));
          break;
        case 'list':
          parts.push(encodeCommand(['RPUSH', key, ...(value as RedisList).toArray()]));
          break;
        case 'set':
          parts.push(encodeCommand(['SADD', key, ...(value as RedisSet).members]));
          break;
        case 'zset': {
          const argv = ['ZADD', key];
          for (let n = (value as RedisZSet).zsl.first(); n !== null; n = n.next[0]!) argv.push(scoreText(n.score), n.member);
          parts.push(encodeCommand(argv));
          break;
        }
        case 'hash': {
          const argv = ['HSET', key];
          for (const [f, v] of (value as RedisHash).fields) argv.push(f, v);
          parts.push(encodeCommand(argv));
          break;
        }
        case 'stream':
          for (const argv of streamAsCommands(key, value as RedisStream)) parts.push(encodeCommand(argv));
          break;
        default:
          throw new Error(`Cannot rewrite a ${typeOf(value)} into the AOF`);
      }
      const when = db.expires.get(key);
      if (when !== undefined) parts.push(encodeCommand(['PEXPIREAT', key, String(when)]));
    }
  }
  return parts.join('');
}

/** rewriteStreamObject: XADDs, XSETID, then each group with its consumers and PEL. */
function streamAsCommands(key: string, stream: RedisStream): string[][] {
  const out: string[][] = [];
  if (stream.length > 0) {
    for (const entry of stream.entries) out.push(['XADD', key, formatId(entry.id), ...entry.fields]);
  } else {
    // An empty stream: XADD MAXLEN 0 creates the key (Redis's trick).
    out.push(['XADD', key, 'MAXLEN', '0', '0-1', 'x', 'y']);
  }
  out.push(['XSETID', key, formatId(stream.lastId), 'ENTRIESADDED', String(stream.entriesAdded), 'MAXDELETEDID', formatId(stream.maxDeletedId)]);
  const byName = <T extends { name: string }>(items: Iterable<T>) => [...items].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const group of byName(stream.groups.values())) {
    out.push(['XGROUP', 'CREATE', key, group.name, formatId(group.lastId), 'ENTRIESREAD', String(group.entriesRead)]);
    for (const consumer of byName(group.consumers.values())) {
      if (consumer.pending.size === 0) {
        out.push(['XGROUP', 'CREATECONSUMER', key, group.name, consumer.name]);
        continue;
      }
      for (const p of sortedById(consumer.pending)) {
        out.push(['XCLAIM', key, group.name, consumer.name, '0', formatId(p.id), 'TIME', String(p.deliveryTime), 'RETRYCOUNT', String(p.deliveryCount), 'JUSTID', 'FORCE']);
      }
    }
  }
  return out;
}

function scoreText(score: number): string {
  if (score === Infinity) return 'inf';
  if (score === -Infinity) return '-inf';
  return Number.isInteger(score) && Math.abs(score) < 2 ** 53 ? String(score) : formatG17(score);
}

/** One RESP array command (or a '#' annotation line) at `position`. */
function parseCommandAt(buffer: Buffer, position: number): { argv: string[] | null; end: number } | 'truncated' | 'bad' {
  const first = buffer[position];
  if (first === 0x23) {
    const nl = buffer.indexOf(0x0a, position);
    if (nl < 0) return 'truncated';
    return { argv: null, end: nl + 1 };
  }
  if (first !== 0x2a) return 'bad';
  const header = readLine(buffer, position + 1);
  if (header === null) return 'truncated';
  const count = Number(header.text);
  if (!Number.isInteger(count) || count < 1) return 'bad';
  let p = header.end;
  const argv: string[] = new Array(count);
  for (let i = 0; i < count; i++) {
    if (p >= buffer.length) return 'truncated';
    if (buffer[p] !== 0x24) return 'bad';
    const lengthLine = readLine(buffer, p + 1);
    if (lengthLine === null) return 'truncated';
    const length = Number(lengthLine.text);
    if (!Number.isInteger(length) || length < 0) return 'bad';
    p = lengthLine.end;
    if (p + length + 2 > buffer.length) return 'truncated';
    argv[i] = buffer.toString('latin1', p, p + length);
    p += length;
    if (buffer[p] !== 0x0d || buffer[p + 1] !== 0x0a) return 'bad';
    p += 2;
  }
  return { argv, end: p };
}

function readLine(buffer: Buffer, start: number): { text: string; end: number } | null {
  const cr = buffer.indexOf(0x0d, start);
  if (cr < 0 || cr + 1 >= buffer.length) return null;
  if (buffer[cr + 1] !== 0x0a) return { text: 'bad', end: cr + 2 };
  return { text: buffer.toString('latin1', start, cr), end: cr + 2 };
}
