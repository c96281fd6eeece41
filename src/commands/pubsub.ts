/**
 * Pub/Sub commands (pubsub.c), shard channels included: SSUBSCRIBE, SUNSUBSCRIBE,
 * SPUBLISH, PUBSUB SHARDCHANNELS / SHARDNUMSUB. In cluster mode dispatch has routed the
 * shard channels like keys (routing.ts) before these run.
 *
 * Errors, as Redis sends them:
 *   -ERR SSUBSCRIBE isn't allowed for a DENY BLOCKING client   (in MULTI/EXEC; SUBSCRIBE is allowed there)
 */
import { ClusterState } from '../cluster/state.js';
import { ErrorReply, NO_REPLY, type Reply } from '../protocol/reply.js';
import { globMatch } from '../keyspace/glob.js';
import type { Handler } from './registry.js';
import { helpLines, subcommandSyntaxError } from './replies.js';

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
  if (args.length > 3) return subcommandSyntaxError(args);
  const pattern = args.length > 2 ? args[2] : null;
  const out: Reply[] = [];
  for (const ch of client.server.pubsub.channels.keys()) if (pattern === null || globMatch(pattern, ch)) out.push(ch);
  return out;
};

const pubsubNumsub: Handler = (client, args) => {
  const entries: Reply[] = [];
  for (let i = 2; i < args.length; i++) entries.push(args[i], client.server.pubsub.channels.get(args[i])?.size ?? 0);
  // An array in RESP3 too (addReplyArrayLen).
  return entries;
};

const SSUBSCRIBE_DENIED = new ErrorReply("ERR SSUBSCRIBE isn't allowed for a DENY BLOCKING client");

/** ssubscribeCommand: unlike SUBSCRIBE, refused inside MULTI/EXEC too. */
const ssubscribe: Handler = (client, args) => {
  if (client.denyBlocking) return SSUBSCRIBE_DENIED;
  for (let i = 1; i < args.length; i++) client.server.pubsub.ssubscribe(client, args[i]);
  return NO_REPLY;
};

const sunsubscribe: Handler = (client, args) => {
  const ps = client.server.pubsub;
  if (args.length === 1) ps.sunsubscribeAll(client, true);
  else for (let i = 1; i < args.length; i++) ps.sunsubscribe(client, args[i], true);
  return NO_REPLY;
};

/** spublishCommand: to this node's subscribers, and over the bus to the nodes of our shard. */
const spublish: Handler = (client, args) => {
  const receivers = client.server.pubsub.spublish(args[1], args[2]);
  ClusterState.of(client.server)?.propagatePublish(args[1], args[2], true);
  return receivers;
};

const pubsubShardChannels: Handler = (client, args) => {
  if (args.length > 3) return subcommandSyntaxError(args);
  const pattern = args.length > 2 ? args[2] : null;
  const out: Reply[] = [];
  for (const ch of client.server.pubsub.shardChannels.keys()) if (pattern === null || globMatch(pattern, ch)) out.push(ch);
  return out;
};

const pubsubShardNumsub: Handler = (client, args) => {
  const entries: Reply[] = [];
  for (let i = 2; i < args.length; i++) entries.push(args[i], client.server.pubsub.shardChannels.get(args[i])?.size ?? 0);
  return entries;
};

const pubsubNumpat: Handler = (client) => client.server.pubsub.patterns.size;

/** PUBSUB HELP, as Redis 7.0 lists it. */
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
  ssubscribe,
  sunsubscribe,
  spublish,
  'pubsub|shardchannels': pubsubShardChannels,
  'pubsub|shardnumsub': pubsubShardNumsub,
  'pubsub|channels': pubsubChannels,
  'pubsub|numsub': pubsubNumsub,
  'pubsub|numpat': pubsubNumpat,
  'pubsub|help': pubsubHelp,
};
