/**
 * A set of function libraries with its function index (functions.c's functionsLibCtx),
 * and the one set of rules for putting libraries together (libraryJoin).
 *
 * Every way libraries arrive goes through `join`: FUNCTION LOAD compiles one library
 * into a set of its own and joins it (FunctionLibraries.create); FUNCTION RESTORE
 * APPEND|REPLACE and RDB/AOF loading without flush join a set compiled from the whole
 * payload; FUNCTION RESTORE FLUSH and a full RDB/AOF load `swap` it in
 * (functionsLibCtxSwapWithCurrent).
 *
 * Names: library names are case-sensitive; function names are unique across the set,
 * case-insensitively (Redis's functions dict uses case-insensitive keys).
 *
 * Error texts (Redis 7.0, returned without the "ERR " prefix):
 *
 *   | where                          | text                          |
 *   |--------------------------------|-------------------------------|
 *   | join 'append', library clash   | Library <name> already exists |
 *   | join, function name clash      | Function <name> already exists |
 *   | FunctionLibraries.create       | Library '<name>' already exists (functionsCreateWithLibraryCtx, quoted) |
 */
import type { LuaFunction } from './lua-host.js';
import { lowerAscii } from './metadata.js';

export interface FunctionDef {
  name: string;
  callback: LuaFunction;
  description: string | null;
  flags: number;
  library: Library;
}

export interface Library {
  name: string;
  /** The full source given to FUNCTION LOAD, shebang included. */
  code: string;
  /** By exact name, in registration order. */
  functions: Map<string, FunctionDef>;
}

/**
 * How `join` treats a library whose name is already in the set: 'append' fails
 * (FUNCTION RESTORE's default), 'replace' swaps the old one out (RESTORE REPLACE,
 * LOAD REPLACE, DEBUG RELOAD MERGE).
 */
export type JoinPolicy = 'append' | 'replace';

export class LibrarySet {
  private libs = new Map<string, Library>();
  /** Lower-cased function name -> function. */
  private index = new Map<string, FunctionDef>();

  /** By name, in load order. */
  get libraries(): ReadonlyMap<string, Library> {
    return this.libs;
  }

  get functionCount(): number {
    return this.index.size;
  }

  findFunction(name: string): FunctionDef | undefined {
    return this.index.get(lowerAscii(name));
  }

  /** A set holding just `lib` (whose own function names are distinct). */
  static of(lib: Library): LibrarySet {
    const set = new LibrarySet();
    set.link(lib);
    return set;
  }

  /**
   * libraryJoin: moves every library of `other` into this set. A library name already
   * here fails under 'append' and is replaced under 'replace'; a function name of
   * `other` that another library here still has fails either way. On failure both sets
   * are left as they were. Returns null, or the error text (without "ERR ").
   */
  join(other: LibrarySet, policy: JoinPolicy): string | null {
    const replaced: Library[] = [];
    const putBack = (): void => {
      for (const old of replaced) this.link(old);
    };
    for (const lib of other.libs.values()) {
      const old = this.libs.get(lib.name);
      if (!old) continue;
      if (policy === 'append') return `Library ${lib.name} already exists`;
      this.unlink(old);
      replaced.push(old);
    }
    for (const f of other.index.values()) {
      if (this.index.has(lowerAscii(f.name))) {
        putBack();
        return `Function ${f.name} already exists`;
      }
    }
    for (const lib of other.libs.values()) this.link(lib);
    other.clear();
    return null;
  }

  /** functionsLibCtxSwapWithCurrent: this set takes the libraries of `other`, and `other` these. */
  swap(other: LibrarySet): void {
    [this.libs, other.libs] = [other.libs, this.libs];
    [this.index, other.index] = [other.index, this.index];
  }

  /** FUNCTION DELETE: false when there is no library of that name. */
  delete(name: string): boolean {
    const lib = this.libs.get(name);
    if (!lib) return false;
    this.unlink(lib);
    return true;
  }

  /** functionsLibCtxClear */
  clear(): void {
    this.libs = new Map();
    this.index = new Map();
  }

  private link(lib: Library): void {
    this.libs.set(lib.name, lib);
    for (const f of lib.functions.values()) this.index.set(lowerAscii(f.name), f);
  }

  private unlink(lib: Library): void {
    this.libs.delete(lib.name);
    for (const f of lib.functions.values()) this.index.delete(lowerAscii(f.name));
  }
}
