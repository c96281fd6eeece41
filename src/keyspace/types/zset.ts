/**
 * A Redis sorted set: a member -> score map plus a skiplist ordered by (score, member)
 * whose links carry spans, so rank lookups and rank/score/lex ranges are O(log n), as
 * in Redis's t_zset.c. Encoded "listpack" while small, "skiplist" once past
 * zset-max-listpack-entries/value (one-way, except where Redis re-checks store results).
 */
import type { CollectionValue, EncodingLimits } from '../value.js';
import { ElementScan } from './element-scan.js';

const MAX_LEVEL = 32;

export class ZNode {
  readonly next: (ZNode | null)[];
  readonly span: number[];
  prev: ZNode | null = null;
  constructor(
    public member: string,
    public score: number,
    level: number,
  ) {
    this.next = new Array(level).fill(null);
    this.span = new Array(level).fill(0);
  }
}

/** A score interval; *Ex = exclusive. */
export interface ScoreRange {
  min: number;
  max: number;
  minEx: boolean;
  maxEx: boolean;
}

/** A lex bound: '-' (inf = -1), '+' (inf = 1), or a value, inclusive or exclusive. */
export interface LexBound {
  value: string;
  ex: boolean;
  inf: -1 | 0 | 1;
}
export interface LexRange {
  min: LexBound;
  max: LexBound;
}

function randomLevel(): number {
  let level = 1;
  while (level < MAX_LEVEL && Math.random() < 0.25) level++;
  return level;
}

function before(node: ZNode, score: number, member: string): boolean {
  return node.score < score || (node.score === score && node.member < member);
}

export function scoreGteMin(score: number, r: ScoreRange): boolean {
  return r.minEx ? score > r.min : score >= r.min;
}
export function scoreLteMax(score: number, r: ScoreRange): boolean {
  return r.maxEx ? score < r.max : score <= r.max;
}
export function lexGteMin(s: string, b: LexBound): boolean {
  if (b.inf !== 0) return b.inf < 0;
  return b.ex ? s > b.value : s >= b.value;
}
export function lexLteMax(s: string, b: LexBound): boolean {
  if (b.inf !== 0) return b.inf > 0;
  return b.ex ? s < b.value : s <= b.value;
}

export class SkipList {
  readonly header = new ZNode('', 0, MAX_LEVEL);
  tail: ZNode | null = null;
  length = 0;
  level = 1;

  insert(score: number, member: string): ZNode {
    const update: ZNode[] = new Array(MAX_LEVEL);
    const rank: number[] = new Array(MAX_LEVEL);
    let x = this.header;
    for (let i = this.level - 1; i >= 0; i--) {
      rank[i] = i === this.level - 1 ? 0 : rank[i + 1];
      let n = x.next[i];
      while (n !== null && before(n, score, member)) {
        rank[i] += x.span[i];
        x = n;
        n = x.next[i];
      }
      update[i] = x;
    }
    const level = randomLevel();
    if (level > this.level) {
      for (let i = this.level; i < level; i++) {
        rank[i] = 0;
        update[i] = this.header;
        update[i].span[i] = this.length;
      }
      this.level = level;
    }
    const node = new ZNode(member, score, level);
    for (let i = 0; i < level; i++) {
      node.next[i] = update[i].next[i];
      update[i].next[i] = node;
      node.span[i] = update[i].span[i] - (rank[0] - rank[i]);
      update[i].span[i] = rank[0] - rank[i] + 1;
    }
    for (let i = level; i < this.level; i++) update[i].span[i]++;
    node.prev = update[0] === this.header ? null : update[0];
    if (node.next[0]) node.next[0].prev = node;
    else this.tail = node;
    this.length++;
    return node;
  }

  delete(score: number, member: string): boolean {
    const update: ZNode[] = new Array(MAX_LEVEL);
    let x = this.header;
    for (let i = this.level - 1; i >= 0; i--) {
      let n = x.next[i];
      while (n !== null && before(n, score, member)) {
        x = n;
        n = x.next[i];
      }
      update[i] = x;
    }
    const target = x.next[0];
    if (target === null || target.score !== score || target.member !== member) return false;
    this.unlink(target, update);
    return true;
  }

  private unlink(x: ZNode, update: ZNode[]): void {
    for (let i = 0; i < this.level; i++) {
      if (update[i].next[i] === x) {
        update[i].span[i] += x.span[i] - 1;
        update[i].next[i] = x.next[i];
      } else {
        update[i].span[i] -= 1;
      }
    }
    if (x.next[0]) x.next[0].prev = x.prev;
    else this.tail = x.prev;
    while (this.level > 1 && this.header.next[this.level - 1] === null) this.level--;
    this.length--;
  }

  /** 1-based rank of an element known to be present. */
  rank(score: number, member: string): number {
    let x = this.header;
    let rank = 0;
    for (let i = this.level - 1; i >= 0; i--) {
      let n = x.next[i];
      while (n !== null && (before(n, score, member) || (n.score === score && n.member === member))) {
        rank += x.span[i];
        x = n;
        n = x.next[i];
      }
      if (x !== this.header && x.member === member) return rank;
    }
    return 0;
  }

  /** Node at 1-based rank. */
  byRank(rank: number): ZNode | null {
    let x = this.header;
    let traversed = 0;
    for (let i = this.level - 1; i >= 0; i--) {
      while (x.next[i] !== null && traversed + x.span[i] <= rank) {
        traversed += x.span[i];
        x = x.next[i]!;
      }
      if (traversed === rank) return x;
    }
    return null;
  }

  first(): ZNode | null {
    return this.header.next[0];
  }

  firstInRange(r: ScoreRange): ZNode | null {
    let x = this.header;
    for (let i = this.level - 1; i >= 0; i--) {
      let n = x.next[i];
      while (n !== null && !scoreGteMin(n.score, r)) {
        x = n;
        n = x.next[i];
      }
    }
    const n = x.next[0];
    return n !== null && scoreLteMax(n.score, r) ? n : null;
  }

  lastInRange(r: ScoreRange): ZNode | null {
    let x = this.header;
    for (let i = this.level - 1; i >= 0; i--) {
      let n = x.next[i];
      while (n !== null && scoreLteMax(n.score, r)) {
        x = n;
        n = x.next[i];
      }
    }
    return x !== this.header && scoreGteMin(x.score, r) ? x : null;
  }

  firstInLex(r: LexRange): ZNode | null {
    let x = this.header;
    for (let i = this.level - 1; i >= 0; i--) {
      let n = x.next[i];
      while (n !== null && !lexGteMin(n.member, r.min)) {
        x = n;
        n = x.next[i];
      }
    }
    const n = x.next[0];
    return n !== null && lexLteMax(n.member, r.max) ? n : null;
  }

  lastInLex(r: LexRange): ZNode | null {
    let x = this.header;
    for (let i = this.level - 1; i >= 0; i--) {
      let n = x.next[i];
      while (n !== null && lexLteMax(n.member, r.max)) {
        x = n;
        n = x.next[i];
      }
    }
    return x !== this.header && lexGteMin(x.member, r.min) ? x : null;
  }
}

export class RedisZSet implements CollectionValue {
  readonly type = 'zset' as const;
  readonly scores = new Map<string, number>();
  readonly zsl = new SkipList();
  listpack = true;
  readonly scanState = new ElementScan();

  encoding(): string {
    return this.listpack ? 'listpack' : 'skiplist';
  }

  get size(): number {
    return this.scores.size;
  }

  isEmpty(): boolean {
    return this.scores.size === 0;
  }

  score(member: string): number | undefined {
    return this.scores.get(member);
  }

  /** Inserts or re-scores a member. Converts to skiplist as zsetAdd does. */
  set(limits: EncodingLimits, member: string, score: number): void {
    // A listpack stores the score as text that reads back as 0, never -0.
    if (this.listpack && score === 0) score = 0;
    const old = this.scores.get(member);
    if (old !== undefined) {
      if (old === score) return;
      this.zsl.delete(old, member);
      this.zsl.insert(score, member);
      this.scores.set(member, score);
      return;
    }
    if (this.listpack && (this.scores.size + 1 > limits.zsetMaxListpackEntries || member.length > limits.zsetMaxListpackValue)) {
      this.listpack = false;
    }
    this.scores.set(member, score);
    this.zsl.insert(score, member);
    this.scanState.added(member);
  }

  delete(member: string): boolean {
    const old = this.scores.get(member);
    if (old === undefined) return false;
    this.scores.delete(member);
    this.zsl.delete(old, member);
    this.scanState.removed(member);
    return true;
  }

  /** 0-based rank from the lowest score. */
  rank(member: string): number | undefined {
    const s = this.scores.get(member);
    if (s === undefined) return undefined;
    return this.zsl.rank(s, member) - 1;
  }

  /** zsetConvertToListpackIfNeeded: store results are re-encoded by their final size. */
  fitEncoding(limits: EncodingLimits): void {
    let maxLen = 0;
    for (const m of this.scores.keys()) if (m.length > maxLen) maxLen = m.length;
    this.listpack = this.scores.size <= limits.zsetMaxListpackEntries && maxLen <= limits.zsetMaxListpackValue;
  }

  memoryUsage(): number {
    let n = 64;
    for (const m of this.scores.keys()) n += m.length + 48;
    return n;
  }

  clone(): RedisZSet {
    const z = new RedisZSet();
    z.listpack = this.listpack;
    for (let n = this.zsl.first(); n !== null; n = n.next[0]) {
      z.scores.set(n.member, n.score);
      z.zsl.insert(n.score, n.member);
    }
    return z;
  }
}
