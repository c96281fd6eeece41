/**
 * Pub/Sub channels, patterns and shard channels (pubsub.c). Messages are RESP3 pushes, or
 * arrays in RESP2.
 *
 * Shard channels (SSUBSCRIBE / SPUBLISH) are a table of their own: their replies count
 * only shard subscriptions (`ssubscribe`, `sunsubscribe`, `smessage`), patterns never
 * match them, and in cluster mode each channel belongs to the slot of its name. The
 * cluster keeps its slot -> channels index (slotToChannelAdd / slotToChannelDel) through
 * `shardIndex`.
 */
import { globMatch } from '../keyspace/glob.js';
import { PushReply } from '../protocol/reply.js';
import type { Client } from './client.js';

/** What the cluster hears of shard channels coming and going (slots_to_channels). */
export interface ShardChannelIndex {
  added(channel: string): void;
  removed(channel: string): void;
}

export class PubSub {
  readonly channels = new Map<string, Set<Client>>();
  readonly patterns = new Map<string, Set<Client>>();
  /** server.pubsubshard_channels */
  readonly shardChannels = new Map<string, Set<Client>>();
  /** Set by the cluster (cluster-enabled yes). */
  shardIndex: ShardChannelIndex | null = null;

  subscribe(client: Client, channel: string): void {
    if (!client.channels) client.channels = new Set();
    if (!client.channels.has(channel)) {
      client.channels.add(channel);
      let set = this.channels.get(channel);
      if (!set) this.channels.set(channel, (set = new Set()));
      set.add(client);
    }
    client.push(new PushReply(['subscribe', channel, client.subscriptionCount]));
  }

  unsubscribe(client: Client, channel: string, notify: boolean): void {
    const had = client.channels?.delete(channel) ?? false;
    if (had) {
      const set = this.channels.get(channel)!;
      set.delete(client);
      if (set.size === 0) this.channels.delete(channel);
    }
    if (notify) client.push(new PushReply(['unsubscribe', channel, client.subscriptionCount]));
  }

  psubscribe(client: Client, pattern: string): void {
    if (!client.patterns) client.patterns = new Set();
    if (!client.patterns.has(pattern)) {
      client.patterns.add(pattern);
      let set = this.patterns.get(pattern);
      if (!set) this.patterns.set(pattern, (set = new Set()));
      set.add(client);
    }
    client.push(new PushReply(['psubscribe', pattern, client.subscriptionCount]));
  }

  punsubscribe(client: Client, pattern: string, notify: boolean): void {
    const had = client.patterns?.delete(pattern) ?? false;
    if (had) {
      const set = this.patterns.get(pattern)!;
      set.delete(client);
      if (set.size === 0) this.patterns.delete(pattern);
    }
    if (notify) client.push(new PushReply(['punsubscribe', pattern, client.subscriptionCount]));
  }

  /** Unsubscribes from everything; with notify, sends the replies (or one with null). */
  unsubscribeAll(client: Client, notify: boolean): void {
    const channels = client.channels ? [...client.channels] : [];
    if (channels.length === 0 && notify) client.push(new PushReply(['unsubscribe', null, client.subscriptionCount]));
    for (const ch of channels) this.unsubscribe(client, ch, notify);
  }

  punsubscribeAll(client: Client, notify: boolean): void {
    const patterns = client.patterns ? [...client.patterns] : [];
    if (patterns.length === 0 && notify) client.push(new PushReply(['punsubscribe', null, client.subscriptionCount]));
    for (const p of patterns) this.punsubscribe(client, p, notify);
  }

  /** Delivers a message; returns the number of clients that received it. */
  publish(channel: string, message: string): number {
    let receivers = 0;
    const direct = this.channels.get(channel);
    if (direct) {
      const msg = new PushReply(['message', channel, message]);
      for (const c of direct) {
        c.push(msg);
        receivers++;
      }
    }
    for (const [pattern, clients] of this.patterns) {
      if (!globMatch(pattern, channel)) continue;
      const msg = new PushReply(['pmessage', pattern, channel, message]);
      for (const c of clients) {
        c.push(msg);
        receivers++;
      }
    }
    return receivers;
  }

  // -- Shard channels ----------------------------------------------------------------------------

  /** pubsubSubscribeChannel with pubSubShardType (ssubscribeCommand). */
  ssubscribe(client: Client, channel: string): void {
    if (!client.shardChannels) client.shardChannels = new Set();
    if (!client.shardChannels.has(channel)) {
      client.shardChannels.add(channel);
      let set = this.shardChannels.get(channel);
      if (!set) {
        this.shardChannels.set(channel, (set = new Set()));
        this.shardIndex?.added(channel);
      }
      set.add(client);
    }
    client.push(new PushReply(['ssubscribe', channel, client.shardSubscriptionCount]));
  }

  /** pubsubUnsubscribeChannel with pubSubShardType. */
  sunsubscribe(client: Client, channel: string, notify: boolean): void {
    const had = client.shardChannels?.delete(channel) ?? false;
    if (had) {
      const set = this.shardChannels.get(channel)!;
      set.delete(client);
      if (set.size === 0) {
        this.shardChannels.delete(channel);
        this.shardIndex?.removed(channel);
      }
    }
    if (notify) client.push(new PushReply(['sunsubscribe', channel, client.shardSubscriptionCount]));
  }

  /** pubsubUnsubscribeShardAllChannels: with notify and nothing subscribed, one reply with null. */
  sunsubscribeAll(client: Client, notify: boolean): void {
    const channels = client.shardChannels ? [...client.shardChannels] : [];
    if (channels.length === 0 && notify) client.push(new PushReply(['sunsubscribe', null, 0]));
    for (const ch of channels) this.sunsubscribe(client, ch, notify);
  }

  /**
   * pubsubShardUnsubscribeAllClients: every subscriber of `channel` is unsubscribed and
   * told so (a slot this node no longer serves).
   */
  dropShardChannel(channel: string): void {
    const set = this.shardChannels.get(channel);
    if (!set) return;
    this.shardChannels.delete(channel);
    this.shardIndex?.removed(channel);
    for (const c of set) {
      c.shardChannels!.delete(channel);
      c.push(new PushReply(['sunsubscribe', channel, c.shardSubscriptionCount]));
    }
  }

  /** pubsubPublishMessage(..., sharded): the number of clients that received it. */
  spublish(channel: string, message: string): number {
    const clients = this.shardChannels.get(channel);
    if (!clients) return 0;
    const msg = new PushReply(['smessage', channel, message]);
    let receivers = 0;
    for (const c of clients) {
      c.push(msg);
      receivers++;
    }
    return receivers;
  }
}
