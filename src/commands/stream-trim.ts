/**
 * Stream trimming: the MAXLEN / MINID / LIMIT options XADD and XTRIM share (xaddCommand
 * and xtrimCommand's streamParseAddOrTrimArgsOrReply), applying them, and the
 * deterministic form both commands propagate.
 */
import { RedisStream, formatId, type StreamId } from '../keyspace/types/stream.js';
import { ErrorReply, Errors } from '../protocol/reply.js';
import type { Client } from '../server/client.js';
import { listeningPropagator } from '../server/propagation.js';
import { parseInt64 } from './args.js';
import type { Handler } from './registry.js';
import { INVALID_ID, nodeMaxEntries, notifyStream, parseId, strictId, writeStream, type ParsedId } from './stream-common.js';

export interface TrimArgs {
  maxLen?: number;
  minId?: StreamId;
  approx: boolean;
  limit: number;
  noMkStream: boolean;
  id: ParsedId | null;
  /** Index of the ID argument (XADD). */
  idIndex: number;
  /** Index of the "~" of an approximate trim, and of the MAXLEN / MINID threshold. */
  approxIndex: number;
  thresholdIndex: number;
}

export function parseAddOrTrim(client: Client, args: string[], xadd: boolean): TrimArgs | ErrorReply {
  const out: TrimArgs = { approx: false, limit: 0, noMkStream: false, id: null, idIndex: -1, approxIndex: -1, thresholdIndex: -1 };
  let strategy: 'none' | 'maxlen' | 'minid' = 'none';
  let limitGiven = false;
  let i = 2;
  for (; i < args.length; i++) {
    const more = args.length - 1 - i;
    const opt = args[i];
    const lower = opt.toLowerCase();
    if (xadd && opt === '*') break;
    if ((lower === 'maxlen' || lower === 'minid') && more) {
      if (strategy !== 'none') return new ErrorReply('ERR syntax error, MAXLEN and MINID options at the same time are not compatible');
      out.approx = false;
      const next = args[i + 1];
      out.approxIndex = -1;
      if (more >= 2 && next === '~') {
        out.approx = true;
        out.approxIndex = i + 1;
        i++;
      } else if (more >= 2 && next === '=') i++;
      out.thresholdIndex = i + 1;
      if (lower === 'maxlen') {
        const v = parseInt64(args[i + 1]);
        if (v === null) return Errors.notInteger;
        if (v < 0) return new ErrorReply('ERR The MAXLEN argument must be >= 0.');
        out.maxLen = Number(v);
        strategy = 'maxlen';
      } else {
        const id = strictId(args[i + 1]);
        if (id instanceof ErrorReply) return id;
        out.minId = id;
        strategy = 'minid';
      }
      i++;
    } else if (lower === 'limit' && more) {
      const v = parseInt64(args[i + 1]);
      if (v === null) return Errors.notInteger;
      if (v < 0) return new ErrorReply('ERR The LIMIT argument must be >= 0.');
      out.limit = Number(v);
      limitGiven = true;
      i++;
    } else if (xadd && lower === 'nomkstream') out.noMkStream = true;
    else if (xadd) {
      const p = parseId(opt, 0n, true, true);
      if (!p) return INVALID_ID;
      out.id = p;
      break;
    } else return Errors.syntax;
  }
  out.idIndex = i;
  if (out.limit && strategy === 'none') return new ErrorReply('ERR syntax error, LIMIT cannot be used without specifying a trimming strategy');
  if (!xadd && strategy === 'none') return new ErrorReply('ERR syntax error, XTRIM must be called with a trimming strategy');
  if (client.mustObey) {
    // The AOF holds the exact form XADD/XTRIM propagated (the threshold was rewritten).
    out.limit = 0;
  } else if (limitGiven) {
    if (!out.approx) return new ErrorReply('ERR syntax error, LIMIT cannot be used without the special ~ option');
  } else if (out.approx) out.limit = 100 * nodeMaxEntries(client);
  return out;
}

/**
 * XADD / XTRIM propagate deterministically (xaddCommand's argv rewrites): the generated
 * ID instead of "*" or "ms-*", and an approximate trim as an exact one ("=" and the
 * resulting length, or the first ID left), since nodes may be cut elsewhere on replay.
 */
export function propagateAddOrTrim(client: Client, args: string[], t: TrimArgs, s: RedisStream, addedId: string | null): void {
  const propagator = listeningPropagator(client.server);
  if (propagator === null) return;
  const argv = args.slice();
  if (t.approx) {
    argv[t.approxIndex] = '=';
    argv[t.thresholdIndex] = t.maxLen !== undefined ? String(s.length) : formatId(s.firstEdgeId);
  }
  if (addedId !== null && (t.id === null || t.id.seqAuto)) argv[t.idIndex] = addedId;
  propagator.propagate(client.db.id, argv);
}

export function applyTrim(s: RedisStream, t: TrimArgs): number {
  if (t.maxLen === undefined && t.minId === undefined) return 0;
  return s.trim({ maxLen: t.maxLen, minId: t.minId }, t.approx, t.limit);
}

export const xtrim: Handler = (client, args) => {
  const s = writeStream(client.db, args[1]);
  if (s instanceof ErrorReply) return s;
  const t = parseAddOrTrim(client, args, false);
  if (t instanceof ErrorReply) return t;
  if (s === undefined) return 0;
  const n = applyTrim(s, t);
  if (n) {
    client.db.modified(args[1]);
    notifyStream(client, 'xtrim', args[1]);
    propagateAddOrTrim(client, args, t, s, null);
  }
  return n;
};
