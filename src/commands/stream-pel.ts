/**
 * Pending entries lists and their propagation: consumers created on first use, delivery
 * of new and already pending entries to a consumer (XREADGROUP), moving an entry to
 * another consumer (XCLAIM, XAUTOCLAIM), and the commands that carry these effects to
 * replicas and the AOF (streamPropagateXCLAIM, streamPropagateGroupID).
 */
import { MAX_ID, RedisStream, formatId, sortedById, type Consumer, type ConsumerGroup, type PendingEntry, type StreamEntry, type StreamId } from '../keyspace/types/stream.js';
import { NULL_ARRAY, type Reply } from '../protocol/reply.js';
import type { Client } from '../server/client.js';
import { listeningPropagator } from '../server/propagation.js';
import { entryReply, notifyStream, rangeEntries } from './stream-common.js';

/** streamLookupConsumer, creating it (streamCreateConsumer, with its event on `key`) when absent. */
export function lookupConsumer(client: Client, key: string, group: ConsumerGroup, name: string, now: number): Consumer {
  let c = group.consumers.get(name);
  if (c) {
    c.seenTime = now;
    return c;
  }
  c = { name, seenTime: now, pending: new Map() };
  group.consumers.set(name, c);
  notifyStream(client, 'xgroup-createconsumer', key);
  return c;
}

/**
 * Delivers new entries (after the group's last ID) to `consumer`, as
 * streamReplyWithRange does for XREADGROUP ... >.
 */
export function deliverNew(
  s: RedisStream,
  group: ConsumerGroup,
  consumer: Consumer,
  count: number,
  noAck: boolean,
  now: number,
  propagation: StreamPropagation | null,
): StreamEntry[] {
  const out = rangeEntries(s, group.lastId + 1n, MAX_ID, count, false);
  for (const e of out) {
    if (group.entriesRead !== -1 && !s.rangeHasTombstones(e.id)) group.entriesRead++;
    else if (s.entriesAdded) group.entriesRead = s.estimateDistance(e.id);
    group.lastId = e.id;
    if (noAck) continue;
    const old = group.pending.get(e.id);
    if (old) {
      old.consumer.pending.delete(e.id);
      group.pending.delete(e.id);
    }
    const pe: PendingEntry = { id: e.id, consumer, deliveryTime: now, deliveryCount: 1 };
    group.pending.set(e.id, pe);
    consumer.pending.set(e.id, pe);
    if (propagation !== null) propagateClaim(propagation, group, formatId(e.id), pe);
  }
  // With NOACK no XCLAIM carries the new last ID: the group's position goes on its own.
  if (propagation !== null && noAck && out.length > 0) propagateGroupId(propagation, group);
  return out;
}

/** Where the effects of a group read are propagated: the key and group name as given. */
export interface StreamPropagation {
  propagate(argv: string[]): void;
  key: string;
  groupName: string;
}

export function streamPropagation(client: Client, key: string, groupName: string): StreamPropagation | null {
  const propagator = listeningPropagator(client.server);
  if (propagator === null) return null;
  const dbId = client.db.id;
  return { propagate: (argv) => propagator.propagate(dbId, argv), key, groupName };
}

/** streamPropagateXCLAIM: an idempotent XCLAIM recreating one pending entry. */
export function propagateClaim(p: StreamPropagation, group: ConsumerGroup, id: string, pe: PendingEntry): void {
  p.propagate([
    'XCLAIM',
    p.key,
    p.groupName,
    pe.consumer.name,
    '0',
    id,
    'TIME',
    String(pe.deliveryTime),
    'RETRYCOUNT',
    String(pe.deliveryCount),
    'FORCE',
    'JUSTID',
    'LASTID',
    formatId(group.lastId),
  ]);
}

/** streamPropagateGroupID */
export function propagateGroupId(p: StreamPropagation, group: ConsumerGroup): void {
  p.propagate(['XGROUP', 'SETID', p.key, p.groupName, formatId(group.lastId), 'ENTRIESREAD', String(group.entriesRead)]);
}

/** XREADGROUP with an explicit ID: the consumer's own pending entries after `after`. */
export function deliverHistory(s: RedisStream, consumer: Consumer, after: StreamId, count: number, now: number): Reply[] {
  const out: Reply[] = [];
  for (const pe of sortedById(consumer.pending)) {
    if (pe.id <= after) continue;
    const e = s.find(pe.id);
    if (e) {
      pe.deliveryTime = now;
      pe.deliveryCount++;
      out.push(entryReply(e));
    } else out.push([formatId(pe.id), NULL_ARRAY]);
    if (count && out.length >= count) break;
  }
  return out;
}

export function claimTo(g: ConsumerGroup, pe: PendingEntry, consumer: Consumer): void {
  if (pe.consumer === consumer) return;
  pe.consumer.pending.delete(pe.id);
  pe.consumer = consumer;
  consumer.pending.set(pe.id, pe);
  void g;
}
