/**
 * Pub/Sub channels and patterns. Messages are RESP3 pushes, or arrays in RESP2.
 */
import { globMatch } from '../keyspace/glob.js';
import { PushReply } from '../protocol/reply.js';
import type { Client } from './client.js';

export class PubSub {
  readonly channels = new Map<string, Set<Client>>();
  readonly patterns = new Map<string, Set<Client>>();

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
}
