/**
 * HyperLogLog commands (Redis 7.0 hyperloglog.c behaviour and error texts): PFADD,
 * PFCOUNT, PFMERGE, PFDEBUG, PFSELFTEST. Values are strings in Redis's HLL format
 * (see keyspace/hyperloglog.ts).
 */
import { Hll, HLL_DENSE, HLL_REGISTERS, countRegisters, isHllString } from '../keyspace/hyperloglog.js';
import { ErrorReply, Errors, OK, SimpleReply, type Reply } from '../protocol/reply.js';
import type { Client } from '../server/client.js';
import type { Handler } from './registry.js';
import { NotifyClass, notify } from '../server/notifications.js';

const NOT_HLL = new ErrorReply('WRONGTYPE Key is not a valid HyperLogLog string value.');
const CORRUPT_HLL = new ErrorReply('INVALIDOBJ Corrupted HLL object detected');

/** The HLL at `key`: undefined when absent, an error for another type or a non-HLL string. */
function lookupHll(client: Client, key: string, read: boolean): Hll | undefined | ErrorReply {
  const v = read ? client.db.lookupRead(key) : client.db.get(key);
  if (v === undefined) return undefined;
  if (typeof v !== 'string') return Errors.wrongType;
  if (!isHllString(v)) return NOT_HLL;
  const hll = Hll.fromString(v);
  hll.sparseMaxBytes = client.server.config.getInt('hll-sparse-max-bytes');
  return hll;
}

/** Stores an HLL edited in place (keeps the TTL; Redis's value is a raw string). */
function store(client: Client, key: string, hll: Hll): void {
  client.db.set(key, hll.toString(), true);
  client.db.markRawString(key);
}

const pfadd: Handler = (client, args) => {
  const key = args[1];
  let hll = lookupHll(client, key, false);
  if (hll instanceof ErrorReply) return hll;
  let updated = 0;
  if (hll === undefined) {
    hll = Hll.empty();
    hll.sparseMaxBytes = client.server.config.getInt('hll-sparse-max-bytes');
    updated++;
  }
  for (let j = 2; j < args.length; j++) {
    const r = hll.add(args[j]);
    if (r === -1) return CORRUPT_HLL;
    updated += r;
  }
  if (updated) {
    hll.invalidateCache();
    store(client, key, hll);
    notify(client.server, client.db.id, NotifyClass.STRING, 'pfadd', key);
  }
  return updated ? 1 : 0;
};

const pfcount: Handler = (client, args) => {
  if (args.length > 2) {
    const max = new Uint8Array(HLL_REGISTERS);
    for (let j = 1; j < args.length; j++) {
      const hll = lookupHll(client, args[j], true);
      if (hll === undefined) continue;
      if (hll instanceof ErrorReply) return hll;
      if (!hll.mergeInto(max)) return CORRUPT_HLL;
    }
    return countRegisters(max);
  }
  const hll = lookupHll(client, args[1], true);
  if (hll === undefined) return 0;
  if (hll instanceof ErrorReply) return hll;
  const cached = hll.cachedCardinality();
  if (cached !== null) return cached;
  const card = hll.count();
  if (card === null) return CORRUPT_HLL;
  // Caching the estimate rewrites the key (Redis counts it as a change, without an event).
  hll.setCachedCardinality(card);
  store(client, args[1], hll);
  return card;
};

const pfmerge: Handler = (client, args) => {
  const max = new Uint8Array(HLL_REGISTERS);
  let useDense = false;
  for (let j = 1; j < args.length; j++) {
    const hll = lookupHll(client, args[j], true);
    if (hll === undefined) continue;
    if (hll instanceof ErrorReply) return hll;
    if (hll.encoding === HLL_DENSE) useDense = true;
    if (!hll.mergeInto(max)) return CORRUPT_HLL;
  }
  const key = args[1];
  let dest = lookupHll(client, key, false);
  if (dest instanceof ErrorReply) return dest;
  if (dest === undefined) {
    dest = Hll.empty();
    dest.sparseMaxBytes = client.server.config.getInt('hll-sparse-max-bytes');
  }
  if (useDense && !dest.toDense()) return CORRUPT_HLL;
  for (let i = 0; i < HLL_REGISTERS; i++) {
    if (max[i] !== 0) dest.setRegister(i, max[i]);
  }
  dest.invalidateCache();
  store(client, key, dest);
  notify(client.server, client.db.id, NotifyClass.STRING, 'pfadd', key);
  return OK;
};

const pfdebug: Handler = (client, args) => {
  const sub = args[1];
  const cmd = sub.toLowerCase();
  const key = args[2];
  const hll = lookupHll(client, key, false);
  if (hll === undefined) return new ErrorReply('ERR The specified key does not exist');
  if (hll instanceof ErrorReply) return hll;
  const arityError = new ErrorReply(`ERR Wrong number of arguments for the '${sub}' subcommand`);
  switch (cmd) {
    case 'getreg': {
      if (args.length !== 3) return arityError;
      if (hll.encoding !== HLL_DENSE) {
        if (!hll.toDense()) return CORRUPT_HLL;
        store(client, key, hll);
      }
      return hll.registers() as Reply[];
    }
    case 'decode':
      if (args.length !== 3) return arityError;
      if (hll.encoding === HLL_DENSE) return new ErrorReply('ERR HLL encoding is not sparse');
      return hll.decode();
    case 'encoding':
      if (args.length !== 3) return arityError;
      return new SimpleReply(hll.encoding === HLL_DENSE ? 'dense' : 'sparse');
    case 'todense': {
      if (args.length !== 3) return arityError;
      if (hll.encoding === HLL_DENSE) return 0;
      if (!hll.toDense()) return CORRUPT_HLL;
      store(client, key, hll);
      return 1;
    }
    default:
      return new ErrorReply(`ERR Unknown PFDEBUG subcommand '${sub}'`);
  }
};

/** PFSELFTEST: Redis checks its register packing and estimator; ours are tested offline. */
const pfselftest: Handler = () => OK;

export const hyperloglogCommands: Record<string, Handler> = {
  pfadd,
  pfcount,
  pfmerge,
  pfdebug,
  pfselftest,
};
