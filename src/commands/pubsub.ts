/**
 * Pub/Sub commands.
 */
import { ClusterState } from '../cluster/state.js';
import { MapReply, NO_REPLY, type Reply } from '../protocol/reply.js';
import { globMatch } from '../keyspace/glob.js';
import type { Handler } from './registry.js';
import { helpLines } from './replies.js';

const subscribe: Handler = (client, args) => {
  for (let i = 1; i < args.length; i++) client.server.pubsub.subscribe(client, args[i]);
  return NO_REPLY;
};

const unsubscribe: Handler = (client, args) => {
  const ps = client.server.pubsub;
  if (args.length === 1) ps.unsubscribeAll(client, true);
  else for (let i = 1; i < args.length; i++) ps.unsubscribe(client, args[i], true);
  return NO_REPLY;
};

const psubscribe: Handler = (client, args) => {
  for (let i = 1; i < args.length; i++) client.server.pubsub.psubscribe(client, args[i]);
  return NO_REPLY;
};

const punsubscribe: Handler = (client, args) => {
  const ps = client.server.pubsub;
  if (args.length === 1) ps.punsubscribeAll(client, true);
  else for (let i = 1; i < args.length; i++) ps.punsubscribe(client, args[i], true);
  return NO_REPLY;
};

const publish: Handler = (client, args) => {
  client.server.stats.pubsubMessages++;
  const receivers = client.server.pubsub.publish(args[1], args[2]);
  // pubsubPublishMessageAndPropagateToCluster
  ClusterState.of(client.server)?.propagatePublish(args[1], args[2], false);
  return receivers;
};

const pubsubChannels: Handler = (client, args) => {
  const pattern = args.length > 2 ? args[2] : null;
  const out: Reply[] = [];
  for (const ch of client.server.pubsub.channels.keys()) if (pattern === null || globMatch(pattern, ch)) out.push(ch);
  return out;
};

const pubsubNumsub: Handler = (client, args) => {
  const entries: Reply[] = [];
  for (let i = 2; i < args.length; i++) entries.push(args[i], client.server.pubsub.channels.get(args[i])?.size ?? 0);
  return new MapReply(entries);
};

const pubsubNumpat: Handler = (client) => client.server.pubsub.patterns.size;

/** PUBSUB HELP, as Redis 7.0 lists it (the shard channel subcommands included, though not implemented here). */
const pubsubHelp: Handler = () =>
  helpLines('PUBSUB', [
    'CHANNELS [<pattern>]',
    "    Return the currently active channels matching a <pattern> (default: '*').",
    'NUMPAT',
    '    Return number of subscriptions to patterns.',
    'NUMSUB [<channel> ...]',
    '    Return the number of subscribers for the specified channels, excluding',
    '    pattern subscriptions(default: no channels).',
    'SHARDCHANNELS [<pattern>]',
    "    Return the currently active shard level channels matching a <pattern> (default: '*').",
    'SHARDNUMSUB [<shardchannel> ...]',
    '    Return the number of subscribers for the specified shard level channel(s)',
  ]);

export const pubsubCommands: Record<string, Handler> = {
  subscribe,
  unsubscribe,
  psubscribe,
  punsubscribe,
  publish,
  'pubsub|channels': pubsubChannels,
  'pubsub|numsub': pubsubNumsub,
  'pubsub|numpat': pubsubNumpat,
  'pubsub|help': pubsubHelp,
};
