/**
 * Lua 5.1 patterns (lstrlib.c semantics, C locale, bytes 0-255) and the pattern-based
 * string functions.
 *
 * Exported API (positions are 0-based, ends exclusive, unless stated):
 *   matchPattern(subject, pattern, init)  first match at or after `init` (honours '^'):
 *       { start, end, captures } | null; captures as string.match returns them (the whole
 *       match when the pattern has none; position captures as 1-based numbers)
 *   PatternMatch                   one match: start, end, captures(), capture(i) (lazy, so
 *                                  "unfinished capture" is raised only when a capture is used)
 *   stringFind(args) / stringMatch(args)   string.find / string.match, arguments checked
 *   gmatchStep(subject, pattern, position) one call of gmatch's iterator:
 *       { captures, nextPosition } | null; start from position 0
 *   checkGmatchArgs(args)          string.gmatch's checks: [subject, pattern]
 *   checkGsubArgs(args)            string.gsub's checks: { subject, pattern, replacement, maxReplacements }
 *   Gsub                           gsub in steps: nextMatch() -> PatternMatch | null, then
 *                                  addValue(v) (function/table results) or addString(match, template);
 *                                  finish() -> [result, count]
 *   expandReplacement(template, match)     gsub's string replacement (%0-%9, %%)
 *   gsubString(subject, pattern, replacement, max)   the whole gsub for a string replacement
 *   stringGsubNonFunction(args)    string.gsub when arg 3 is a string or number (a table
 *                                  replacement needs __index, so the engine does that case)
 *
 * Errors are LuaLibError with 5.1's texts ("malformed pattern (ends with '%')", ...).
 * Lua 5.1 has no match depth limit (it recurses on the C stack); a JavaScript stack
 * overflow while matching is reported as "pattern too complex".
 */
import { LuaLibError, argError } from '../errors.js';
import { argTypeName, checkString, luaTypeName, optInt, optInteger, toStringOrUndefined } from './args.js';
import { numberToString } from './number.js';

const MAX_CAPTURES = 32;
const CAP_UNFINISHED = -1;
const CAP_POSITION = -2;
const ESC = 0x25; // '%'
const SPECIALS = '^$*+?.([%-';

// Character classes of the C locale, one bit per class, indexed by byte.
const ALPHA = 1, CNTRL = 2, DIGIT = 4, LOWER = 8, PUNCT = 16, SPACE = 32, UPPER = 64, XDIGIT = 128;
const classBits = new Uint8Array(256);
for (let c = 0; c < 256; c++) {
  let bits = 0;
  const upper = c >= 65 && c <= 90;
  const lower = c >= 97 && c <= 122;
  const digit = c >= 48 && c <= 57;
  if (upper || lower) bits |= ALPHA;
  if (c < 32 || c === 127) bits |= CNTRL;
  if (digit) bits |= DIGIT;
  if (lower) bits |= LOWER;
  if (upper) bits |= UPPER;
  if (c > 32 && c < 127 && !upper && !lower && !digit) bits |= PUNCT;
  if (c === 32 || (c >= 9 && c <= 13)) bits |= SPACE;
  if (digit || (c >= 65 && c <= 70) || (c >= 97 && c <= 102)) bits |= XDIGIT;
  classBits[c] = bits;
}

/** match_class: does byte c belong to the class named by pattern letter cl (%a, %A, ...)? */
function matchClass(c: number, cl: number): boolean {
  let res: boolean;
  switch (cl | 0x20) {
    case 0x61: res = (classBits[c] & ALPHA) !== 0; break; // a
    case 0x63: res = (classBits[c] & CNTRL) !== 0; break; // c
    case 0x64: res = (classBits[c] & DIGIT) !== 0; break; // d
    case 0x6c: res = (classBits[c] & LOWER) !== 0; break; // l
    case 0x70: res = (classBits[c] & PUNCT) !== 0; break; // p
    case 0x73: res = (classBits[c] & SPACE) !== 0; break; // s
    case 0x75: res = (classBits[c] & UPPER) !== 0; break; // u
    case 0x77: res = (classBits[c] & (ALPHA | DIGIT)) !== 0; break; // w
    case 0x78: res = (classBits[c] & XDIGIT) !== 0; break; // x
    case 0x7a: res = c === 0; break; // z
    default: return cl === c;
  }
  // lower-case letter: the class; upper-case: its complement
  return (classBits[cl] & LOWER) !== 0 ? res : !res;
}

/** Snapshot of one successful match, with captures extracted on demand. */
export class PatternMatch {
  constructor(
    private readonly subject: string,
    /** 0-based start of the match. */
    public readonly start: number,
    /** 0-based end (exclusive) of the match. */
    public readonly end: number,
    private readonly level: number,
    private readonly capStart: Int32Array,
    private readonly capLength: Int32Array,
  ) {}

  /** push_onecapture(i): i is 0-based; with no captures, capture 0 is the whole match. */
  capture(i: number): string | number {
    if (i >= this.level) {
      if (i === 0) return this.subject.slice(this.start, this.end);
      throw new LuaLibError('invalid capture index');
    }
    const len = this.capLength[i];
    if (len === CAP_UNFINISHED) throw new LuaLibError('unfinished capture');
    if (len === CAP_POSITION) return this.capStart[i] + 1;
    return this.subject.substr(this.capStart[i], len);
  }

  /** push_captures: all captures, or the whole match when the pattern has none. */
  captures(): (string | number)[] {
    const count = this.level === 0 ? 1 : this.level;
    const out: (string | number)[] = new Array(count);
    for (let i = 0; i < count; i++) out[i] = this.capture(i);
    return out;
  }

  /** The captures only (string.find's extra results): none when the pattern has none. */
  explicitCaptures(): (string | number)[] {
    return this.level === 0 ? [] : this.captures();
  }
}

/** A MatchState: one pattern matched against one subject. */
class Matcher {
  readonly pattern: string;
  readonly patternLength: number;
  level = 0;
  readonly capStart = new Int32Array(MAX_CAPTURES);
  readonly capLength = new Int32Array(MAX_CAPTURES);

  constructor(
    readonly subject: string,
    pattern: string,
  ) {
    // The C code sees the pattern as a C string: it ends at the first NUL.
    const nul = pattern.indexOf('\0');
    this.pattern = nul >= 0 ? pattern.slice(0, nul) : pattern;
    this.patternLength = this.pattern.length;
  }

  /** Pattern byte at p, 0 past the end (the C terminator). */
  private pc(p: number): number {
    return p < this.patternLength ? this.pattern.charCodeAt(p) : 0;
  }

  /** Subject byte at s, 0 at the end (the terminator Lua strings carry). */
  private sc(s: number): number {
    return s < this.subject.length ? this.subject.charCodeAt(s) : 0;
  }

  /** Try to match at s with the pattern from index p; -1 on failure. */
  matchAt(s: number, p: number): number {
    this.level = 0;
    try {
      return this.match(s, p);
    } catch (e) {
      if (e instanceof RangeError) throw new LuaLibError('pattern too complex');
      throw e;
    }
  }

  snapshot(start: number, end: number): PatternMatch {
    return new PatternMatch(this.subject, start, end, this.level, this.capStart.slice(0, this.level), this.capLength.slice(0, this.level));
  }

  /** classend: index just past the single-character class starting at p. */
  private classEnd(p: number): number {
    const c = this.pc(p++);
    if (c === ESC) {
      if (p >= this.patternLength) throw new LuaLibError("malformed pattern (ends with '%')");
      return p + 1;
    }
    if (c === 0x5b /* [ */) {
      if (this.pc(p) === 0x5e /* ^ */) p++;
      // the first character is part of the set even when it is ']'
      do {
        if (p >= this.patternLength) throw new LuaLibError("malformed pattern (missing ']')");
        const d = this.pc(p++);
        if (d === ESC && p < this.patternLength) p++;
      } while (this.pc(p) !== 0x5d /* ] */);
      return p + 1;
    }
    return p;
  }

  /** matchbracketclass: p is the '[' and ec the closing ']'. */
  private matchBracket(c: number, p: number, ec: number): boolean {
    let inSet = true;
    if (this.pc(p + 1) === 0x5e /* ^ */) {
      inSet = false;
      p++;
    }
    while (++p < ec) {
      const d = this.pc(p);
      if (d === ESC) {
        p++;
        if (matchClass(c, this.pc(p))) return inSet;
      } else if (this.pc(p + 1) === 0x2d /* - */ && p + 2 < ec) {
        p += 2;
        if (d <= c && c <= this.pc(p)) return inSet;
      } else if (d === c) {
        return inSet;
      }
    }
    return !inSet;
  }

  /** singlematch: does byte c match the class at p (ending at ep)? */
  private singleMatch(c: number, p: number, ep: number): boolean {
    switch (this.pc(p)) {
      case 0x2e: return true; // .
      case ESC: return matchClass(c, this.pc(p + 1));
      case 0x5b: return this.matchBracket(c, p, ep - 1);
      default: return this.pc(p) === c;
    }
  }

  private match(s: number, p: number): number {
    const subjectLength = this.subject.length;
    for (;;) {
      switch (this.pc(p)) {
        case 0x28: // (
          if (this.pc(p + 1) === 0x29) return this.startCapture(s, p + 2, CAP_POSITION);
          return this.startCapture(s, p + 1, CAP_UNFINISHED);
        case 0x29: // )
          return this.endCapture(s, p + 1);
        case 0: // end of pattern
          return s;
        case 0x24: // $
          if (p + 1 === this.patternLength) return s === subjectLength ? s : -1;
          break; // a literal '$'
        case ESC: {
          const next = this.pc(p + 1);
          if (next === 0x62 /* b */) {
            s = this.matchBalance(s, p + 2);
            if (s === -1) return -1;
            p += 4;
            continue;
          }
          if (next === 0x66 /* f */) {
            p += 2;
            if (this.pc(p) !== 0x5b) throw new LuaLibError("missing '[' after '%f' in pattern");
            const ep = this.classEnd(p);
            const previous = s === 0 ? 0 : this.subject.charCodeAt(s - 1);
            if (this.matchBracket(previous, p, ep - 1) || !this.matchBracket(this.sc(s), p, ep - 1)) return -1;
            p = ep;
            continue;
          }
          if (next >= 0x30 && next <= 0x39) {
            s = this.matchBackReference(s, next);
            if (s === -1) return -1;
            p += 2;
            continue;
          }
          break; // an escaped single character class
        }
      }
      // a single-character class, possibly followed by a quantifier
      const ep = this.classEnd(p);
      const matched = s < subjectLength && this.singleMatch(this.subject.charCodeAt(s), p, ep);
      switch (this.pc(ep)) {
        case 0x3f: { // ?
          if (matched) {
            const res = this.match(s + 1, ep + 1);
            if (res !== -1) return res;
          }
          p = ep + 1;
          continue;
        }
        case 0x2a: // *
          return this.maxExpand(s, p, ep);
        case 0x2b: // +
          return matched ? this.maxExpand(s + 1, p, ep) : -1;
        case 0x2d: // -
          return this.minExpand(s, p, ep);
        default:
          if (!matched) return -1;
          s++;
          p = ep;
      }
    }
  }

  private maxExpand(s: number, p: number, ep: number): number {
    let count = 0;
    const subjectLength = this.subject.length;
    while (s + count < subjectLength && this.singleMatch(this.subject.charCodeAt(s + count), p, ep)) count++;
    // try the longest repetition first, then give back one at a time
    for (; count >= 0; count--) {
      const res = this.match(s + count, ep + 1);
      if (res !== -1) return res;
    }
    return -1;
  }

  private minExpand(s: number, p: number, ep: number): number {
    const subjectLength = this.subject.length;
    for (;;) {
      const res = this.match(s, ep + 1);
      if (res !== -1) return res;
      if (s < subjectLength && this.singleMatch(this.subject.charCodeAt(s), p, ep)) s++;
      else return -1;
    }
  }

  private startCapture(s: number, p: number, what: number): number {
    const level = this.level;
    if (level >= MAX_CAPTURES) throw new LuaLibError('too many captures');
    this.capStart[level] = s;
    this.capLength[level] = what;
    this.level = level + 1;
    const res = this.match(s, p);
    if (res === -1) this.level--; // undo the capture
    return res;
  }

  private endCapture(s: number, p: number): number {
    const l = this.captureToClose();
    this.capLength[l] = s - this.capStart[l];
    const res = this.match(s, p);
    if (res === -1) this.capLength[l] = CAP_UNFINISHED; // undo
    return res;
  }

  private captureToClose(): number {
    for (let level = this.level - 1; level >= 0; level--) {
      if (this.capLength[level] === CAP_UNFINISHED) return level;
    }
    throw new LuaLibError('invalid pattern capture');
  }

  /** %1-%9 (and %0, which is always invalid here): match a copy of a closed capture. */
  private matchBackReference(s: number, digit: number): number {
    const l = digit - 0x31;
    if (l < 0 || l >= this.level || this.capLength[l] === CAP_UNFINISHED) {
      throw new LuaLibError('invalid capture index');
    }
    // A position capture has length -2: as size_t that never fits, so it never matches.
    const len = this.capLength[l];
    if (len < 0 || this.subject.length - s < len) return -1;
    const start = this.capStart[l];
    for (let i = 0; i < len; i++) {
      if (this.subject.charCodeAt(start + i) !== this.subject.charCodeAt(s + i)) return -1;
    }
    return s + len;
  }

  /** %bxy */
  private matchBalance(s: number, p: number): number {
    if (p >= this.patternLength || p + 1 >= this.patternLength) throw new LuaLibError('unbalanced pattern');
    const open = this.pc(p);
    const close = this.pc(p + 1);
    if (this.sc(s) !== open) return -1;
    let depth = 1;
    const subjectLength = this.subject.length;
    while (++s < subjectLength) {
      const c = this.subject.charCodeAt(s);
      if (c === close) {
        if (--depth === 0) return s + 1;
      } else if (c === open) {
        depth++;
      }
    }
    return -1;
  }
}

/** Scan for the first match at or after init (anchored when the pattern starts with '^'). */
function findMatch(subject: string, pattern: string, init: number): PatternMatch | null {
  const m = new Matcher(subject, pattern);
  const anchored = m.pattern.charCodeAt(0) === 0x5e;
  const p = anchored ? 1 : 0;
  let s = init;
  do {
    const end = m.matchAt(s, p);
    if (end !== -1) return m.snapshot(s, end);
  } while (s++ < subject.length && !anchored);
  return null;
}

export interface MatchResult {
  start: number;
  end: number;
  captures: (string | number)[];
}

/** The first match at or after `init` (0-based), with string.match's captures. */
export function matchPattern(subject: string, pattern: string, init: number): MatchResult | null {
  const m = findMatch(subject, pattern, init);
  return m === null ? null : { start: m.start, end: m.end, captures: m.captures() };
}

/** lmemfind: plain substring search (an empty needle is found at once). */
function plainFind(haystack: string, needle: string, from: number): number {
  if (needle.length === 0) return from;
  return haystack.indexOf(needle, from);
}

/** str_find_aux's start position: 1-based, negative from the end, clamped to [0, len]. */
function startIndex(init: number, length: number): number {
  let pos = init;
  if (pos < 0) pos += length + 1;
  if (pos < 0) pos = 0;
  let start = pos - 1;
  if (start < 0) start = 0;
  else if (start > length) start = length;
  return start;
}

function hasSpecials(pattern: string): boolean {
  // strpbrk stops at the first NUL
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\0') return false;
    if (SPECIALS.includes(c)) return true;
  }
  return false;
}

function findOrMatch(args: unknown[], find: boolean): (string | number | undefined)[] {
  const fname = find ? 'find' : 'match';
  const subject = checkString(args, 0, fname);
  const pattern = checkString(args, 1, fname);
  const init = startIndex(optInteger(args, 2, fname, 1), subject.length);
  if (find && (isTruthy(args[3]) || !hasSpecials(pattern))) {
    const at = plainFind(subject, pattern, init);
    return at === -1 ? [undefined] : [at + 1, at + pattern.length];
  }
  const m = findMatch(subject, pattern, init);
  if (m === null) return [undefined];
  if (find) return [m.start + 1, m.end, ...m.explicitCaptures()];
  return m.captures();
}

function isTruthy(v: unknown): boolean {
  return v !== undefined && v !== false;
}

/** string.find(s, pattern [, init [, plain]]) */
export function stringFind(args: unknown[]): (string | number | undefined)[] {
  return findOrMatch(args, true);
}

/** string.match(s, pattern [, init]) */
export function stringMatch(args: unknown[]): (string | number | undefined)[] {
  return findOrMatch(args, false);
}

/** string.gmatch's argument checks; returns [subject, pattern] for the iterator. */
export function checkGmatchArgs(args: unknown[]): [string, string] {
  return [checkString(args, 0, 'gmatch'), checkString(args, 1, 'gmatch')];
}

/**
 * One call of the gmatch iterator: the next match at or after `position` (0-based,
 * start with 0). Note that 5.1's gmatch treats a leading '^' as a literal character.
 */
export function gmatchStep(subject: string, pattern: string, position: number): { captures: (string | number)[]; nextPosition: number } | null {
  const m = new Matcher(subject, pattern);
  for (let s = position; s <= subject.length; s++) {
    const end = m.matchAt(s, 0);
    if (end !== -1) {
      const match = m.snapshot(s, end);
      // an empty match advances one position so the loop terminates
      return { captures: match.captures(), nextPosition: end === s ? end + 1 : end };
    }
  }
  return null;
}

/** gsub's add_s: expand %0-%9 and %x in a replacement string for one match. */
export function expandReplacement(template: string, match: PatternMatch, subject: string): string {
  if (template.indexOf('%') === -1) return template;
  let out = '';
  for (let i = 0; i < template.length; i++) {
    const c = template.charCodeAt(i);
    if (c !== ESC) {
      out += template[i];
      continue;
    }
    i++;
    const d = i < template.length ? template.charCodeAt(i) : 0;
    if (d < 0x30 || d > 0x39) {
      // "%x" adds x; a trailing '%' adds the terminating NUL, as the C loop reads it
      out += i < template.length ? template[i] : '\0';
    } else if (d === 0x30) {
      out += subject.slice(match.start, match.end);
    } else {
      const value = match.capture(d - 0x31);
      out += typeof value === 'number' ? numberToString(value) : value;
    }
  }
  return out;
}

/**
 * string.gsub in steps, so the engine can call a Lua function (or index a table) per
 * match between them:
 *
 *   const g = new Gsub(subject, pattern, maxReplacements);
 *   for (let m; (m = g.nextMatch()) !== null; ) g.addValue(valueFor(m));  // or g.addString(m, template)
 *   return g.finish();  // [result, count]
 */
export class Gsub {
  private readonly matcher: Matcher;
  private readonly anchored: boolean;
  private readonly patternStart: number;
  private position = 0;
  private count = 0;
  private done = false;
  private out = '';
  /** The match handed out by nextMatch and not yet completed with addValue/addString. */
  private pending: PatternMatch | null = null;

  constructor(
    private readonly subject: string,
    pattern: string,
    private readonly maxReplacements: number,
  ) {
    this.matcher = new Matcher(subject, pattern);
    this.anchored = this.matcher.pattern.charCodeAt(0) === 0x5e;
    this.patternStart = this.anchored ? 1 : 0;
  }

  /** The next match to replace, or null when gsub is done. */
  nextMatch(): PatternMatch | null {
    if (this.pending !== null) this.advance(this.pending.end);
    this.pending = null;
    while (!this.done && this.count < this.maxReplacements) {
      const s = this.position;
      const end = this.matcher.matchAt(s, this.patternStart);
      if (end !== -1) {
        this.count++;
        this.pending = this.matcher.snapshot(s, end);
        return this.pending;
      }
      this.advance(-1);
    }
    return null;
  }

  /** Continue after the match (end) or failed attempt (-1) at the current position. */
  private advance(end: number): void {
    const s = this.position;
    if (end !== -1 && end > s) {
      this.position = end; // skip a non-empty match
    } else if (s < this.subject.length) {
      this.out += this.subject[s];
      this.position = s + 1;
    } else {
      this.done = true;
    }
    if (this.anchored) this.done = true;
  }

  /**
   * add_value for a function or table replacement: the value it produced for the
   * current match. nil/false keep the original text; strings and numbers replace it.
   */
  addValue(value: unknown): void {
    const match = this.requirePending();
    if (value === undefined || value === false) {
      this.out += this.subject.slice(match.start, match.end);
      return;
    }
    const text = toStringOrUndefined(value);
    if (text === undefined) throw new LuaLibError(`invalid replacement value (a ${luaTypeName(value)})`);
    this.out += text;
  }

  /** add_s: a string (or number) replacement for the current match. */
  addString(template: string): void {
    this.out += expandReplacement(template, this.requirePending(), this.subject);
  }

  /** [result, number of substitutions]. */
  finish(): [string, number] {
    if (this.pending !== null) {
      this.advance(this.pending.end);
      this.pending = null;
    }
    return [this.out + this.subject.slice(this.position), this.count];
  }

  private requirePending(): PatternMatch {
    if (this.pending === null) throw new Error('Gsub: no current match');
    return this.pending;
  }
}

/** gsub with a string replacement, start to finish. */
export function gsubString(subject: string, pattern: string, replacement: string, maxReplacements: number): [string, number] {
  const g = new Gsub(subject, pattern, maxReplacements);
  while (g.nextMatch() !== null) g.addString(replacement);
  return g.finish();
}

export interface GsubArgs {
  subject: string;
  pattern: string;
  /** Arg 3 as given: a string, number, table or function. */
  replacement: unknown;
  maxReplacements: number;
}

/**
 * str_gsub's argument checks, in its order (1, 2, 4, then the type of 3). `isTableOrFunction`
 * tells whether arg 3 is a table or a function (types this module does not know).
 */
export function checkGsubArgs(args: unknown[], isTableOrFunction: (v: unknown) => boolean): GsubArgs {
  const subject = checkString(args, 0, 'gsub');
  const pattern = checkString(args, 1, 'gsub');
  const replacement = args[2];
  const maxReplacements = optInt(args, 3, 'gsub', subject.length + 1);
  if (!(typeof replacement === 'string' || typeof replacement === 'number' || isTableOrFunction(replacement))) {
    throw argError(3, 'gsub', 'string/function/table expected');
  }
  return { subject, pattern, replacement, maxReplacements };
}

/** string.gsub when arg 3 is a string or a number (other replacement types: use Gsub). */
export function stringGsubNonFunction(args: unknown[]): [string, number] {
  const { subject, pattern, replacement, maxReplacements } = checkGsubArgs(args, () => false);
  const template = typeof replacement === 'number' ? numberToString(replacement) : (replacement as string);
  return gsubString(subject, pattern, template, maxReplacements);
}

export { argTypeName };
