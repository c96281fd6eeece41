/**
 * ACL SETUSER / GETUSER / DELUSER / USERS / WHOAMI / LIST / CAT / LOG / HELP over
 * src/server/acl.ts.
 */
import { ErrorReply, OK, type Reply } from '../protocol/reply.js';
import { ACL_CATEGORIES, AclUser, aclStore, applyRule, describeCommands, describeUser } from '../server/acl.js';
import { allSpecs, asciiLower } from './table/lookup.js';
import type { Handler } from './registry.js';
import { helpLines, sanitizedError } from './replies.js';

const setuser: Handler = (client, args) => {
  const store = aclStore(client.server);
  const existing = store.users.get(args[2]);
  // Rules apply to a copy: a failing rule leaves the user as it was.
  const user = new AclUser(args[2]);
  if (existing) copyUser(existing, user);
  for (let i = 3; i < args.length; i++) {
    const error = applyRule(user, args[i]);
    if (error !== null) return sanitizedError(`ERR Error in ACL SETUSER modifier '${args[i]}': ${error}`);
  }
  if (existing) copyUser(user, existing);
  else store.users.set(user.name, user);
  return OK;
};

function copyUser(from: AclUser, to: AclUser): void {
  to.enabled = from.enabled;
  to.nopass = from.nopass;
  to.sanitizePayload = from.sanitizePayload;
  to.passwords.clear();
  for (const p of from.passwords) to.passwords.add(p);
  to.allowed = new Set(from.allowed);
  to.allowFuture = from.allowFuture;
  to.keyPatterns = [...from.keyPatterns];
  to.allKeys = from.allKeys;
  to.channelPatterns = [...from.channelPatterns];
  to.allChannels = from.allChannels;
  to.refresh();
}

const getuser: Handler = (client, args) => {
  const user = aclStore(client.server).users.get(args[2]);
  if (!user) return null;
  const flags: string[] = [user.enabled ? 'on' : 'off'];
  if (user.nopass) flags.push('nopass');
  if (user.sanitizePayload) flags.push(user.sanitizePayload);
  const keys = user.allKeys ? '~*' : user.keyPatterns.map((p) => '~' + p).join(' ');
  const channels = user.allChannels ? '&*' : user.channelPatterns.map((p) => '&' + p).join(' ');
  return ['flags', flags, 'passwords', [...user.passwords], 'commands', describeCommands(user), 'keys', keys, 'channels', channels, 'selectors', []];
};

const deluser: Handler = (client, args) => {
  const store = aclStore(client.server);
  let deleted = 0;
  for (let i = 2; i < args.length; i++) {
    if (args[i] === 'default') return new ErrorReply("ERR The 'default' user cannot be removed");
  }
  for (let i = 2; i < args.length; i++) if (store.users.delete(args[i])) deleted++;
  return deleted;
};

function sortedUsers(client: Parameters<Handler>[0]): AclUser[] {
  return [...aclStore(client.server).users.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

const users: Handler = (client) => sortedUsers(client).map((u) => u.name);
const list: Handler = (client) => sortedUsers(client).map(describeUser);
const whoami: Handler = (client) => client.user?.name ?? 'default';

const cat: Handler = (_client, args): Reply => {
  if (args.length === 2) return [...ACL_CATEGORIES];
  const category = asciiLower(args[2]);
  if (!(ACL_CATEGORIES as readonly string[]).includes(category)) return sanitizedError(`ERR Unknown category '${args[2]}'`);
  const names: string[] = [];
  for (const spec of allSpecs()) if (spec.aclCategories.includes('@' + category)) names.push(spec.fullName);
  return names;
};

const log: Handler = (_client, args) => (args.length > 2 && asciiLower(args[2]) === 'reset' ? OK : []);

/** ACL HELP, as Redis 7.0 lists it (DRYRUN, GENPASS, LOAD and SAVE included, though not implemented here). */
const help: Handler = () =>
  helpLines('ACL', [
    'CAT [<category>]',
    '    List all commands that belong to <category>, or all command categories',
    '    when no category is specified.',
    'DELUSER <username> [<username> ...]',
    '    Delete a list of users.',
    'DRYRUN <username> <command> [<arg> ...]',
    '    Returns whether the user can execute the given command without executing the command.',
    'GETUSER <username>',
    "    Get the user's details.",
    'GENPASS [<bits>]',
    '    Generate a secure 256-bit user password. The optional `bits` argument can',
    '    be used to specify a different size.',
    'LIST',
    '    Show users details in config file format.',
    'LOAD',
    '    Reload users from the ACL file.',
    'LOG [<count> | RESET]',
    '    Show the ACL log entries.',
    'SAVE',
    '    Save the current config to the ACL file.',
    'SETUSER <username> <attribute> [<attribute> ...]',
    '    Create or modify a user with the specified attributes.',
    'USERS',
    '    List all the registered usernames.',
    'WHOAMI',
    '    Return the current connection username.',
  ]);

export const aclCommands: Record<string, Handler> = {
  'acl|setuser': setuser,
  'acl|getuser': getuser,
  'acl|deluser': deluser,
  'acl|users': users,
  'acl|list': list,
  'acl|whoami': whoami,
  'acl|cat': cat,
  'acl|log': log,
  'acl|help': help,
};
