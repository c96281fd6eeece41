/**
 * A minimal ACL (Redis 7.0's acl.c without selectors or ACL files): users with
 * passwords, allowed commands (a set of full command names, like Redis's bitmap),
 * key patterns and channel patterns, and the permission check processCommand and
 * scripts run.
 */
import { createHash } from 'node:crypto';
import type { CommandSpec } from '../commands/spec.js';
import { allSpecs, findCommandSpec, findSubcommandSpec, subcommandsOf, asciiLower } from '../commands/table/lookup.js';
import { extractKeys } from '../commands/table/keys.js';
import { globMatch } from '../keyspace/glob.js';
import type { Server } from './server.js';

/** Categories in Redis's order (ACLCommandCategories): describing rules depends on it. */
export const ACL_CATEGORIES = [
  'keyspace', 'read', 'write', 'set', 'sortedset', 'list', 'hash', 'string', 'bitmap', 'hyperloglog',
  'geo', 'stream', 'pubsub', 'admin', 'fast', 'slow', 'blocking', 'dangerous', 'connection', 'transaction', 'scripting',
] as const;

export class AclUser {
  enabled = false;
  nopass = false;
  /** sanitize-payload / skip-sanitize-payload (only remembered: RESTORE does not read it). */
  sanitizePayload: 'sanitize-payload' | 'skip-sanitize-payload' | null = null;
  /** SHA-256 hex digests, in insertion order. */
  readonly passwords = new Set<string>();
  /** Full names ('get', 'config|get') the user may run. */
  allowed = new Set<string>();
  /** +@all was the last all-commands rule: commands added later are allowed too. */
  allowFuture = false;
  keyPatterns: string[] = [];
  allKeys = false;
  channelPatterns: string[] = [];
  allChannels = false;
  /** Nothing is checked for this user (the fast path of dispatch). */
  unrestricted = false;

  constructor(readonly name: string) {}

  refresh(): void {
    this.unrestricted = this.allowFuture && this.allowed.size === allCommandCount() && this.allKeys && this.allChannels;
  }
}

export const enum AclDenial {
  OK,
  COMMAND,
  KEY,
}

export class AclStore {
  readonly users = new Map<string, AclUser>();
  readonly defaultUser: AclUser;

  constructor() {
    const user = new AclUser('default');
    for (const rule of ['on', 'nopass', '~*', '&*', '+@all']) applyRule(user, rule);
    this.users.set('default', user);
    this.defaultUser = user;
  }
}

const stores = new WeakMap<Server, AclStore>();

export function aclStore(server: Server): AclStore {
  let store = stores.get(server);
  if (!store) {
    store = new AclStore();
    stores.set(server, store);
  }
  return store;
}

let commandCount = -1;
function allCommandCount(): number {
  if (commandCount < 0) {
    commandCount = 0;
    for (const _ of allSpecs()) commandCount++;
  }
  return commandCount;
}

export function hashPassword(pass: string): string {
  return createHash('sha256').update(Buffer.from(pass, 'latin1')).digest('hex');
}

/** Whether `pass` opens the user (ACLCheckUserCredentials); disabled users never open. */
export function passwordMatches(user: AclUser, pass: string): boolean {
  if (!user.enabled) return false;
  if (user.nopass) return true;
  return user.passwords.has(hashPassword(pass));
}

function specsInCategory(category: string): CommandSpec[] {
  const tag = '@' + category;
  const out: CommandSpec[] = [];
  for (const spec of allSpecs()) if (spec.aclCategories.includes(tag)) out.push(spec);
  return out;
}

/** ACLChangeSelectorPerm: a container command carries all its subcommands. */
function changePerm(user: AclUser, spec: CommandSpec, allow: boolean): void {
  if (allow) user.allowed.add(spec.fullName);
  else user.allowed.delete(spec.fullName);
  if (spec.subcommands) for (const sub of subcommandsOf(spec)) changePerm(user, sub, allow);
}

function setAll(user: AclUser, allow: boolean): void {
  user.allowed = new Set();
  if (allow) for (const spec of allSpecs()) user.allowed.add(spec.fullName);
  user.allowFuture = allow;
}

/** The command named in a +cmd / -cmd rule ('config|get' names a subcommand). */
function lookupRuleCommand(name: string): CommandSpec | undefined {
  const bar = name.indexOf('|');
  if (bar < 0) return findCommandSpec(name);
  const top = findCommandSpec(name.slice(0, bar));
  if (!top || !top.subcommands) return undefined;
  return findSubcommandSpec(top, name.slice(bar + 1));
}

/** Applies one ACL SETUSER rule; returns the error text Redis gives, or null. */
export function applyRule(user: AclUser, rule: string): string | null {
  const op = asciiLower(rule);
  if (op === 'on') user.enabled = true;
  else if (op === 'off') user.enabled = false;
  else if (op === 'nopass') {
    user.nopass = true;
    user.passwords.clear();
  } else if (op === 'sanitize-payload' || op === 'skip-sanitize-payload') {
    user.sanitizePayload = op;
  } else if (op === 'resetpass') {
    user.nopass = false;
    user.passwords.clear();
  } else if (rule[0] === '>') {
    user.passwords.add(hashPassword(rule.slice(1)));
    user.nopass = false;
  } else if (rule[0] === '<') {
    if (!user.passwords.delete(hashPassword(rule.slice(1)))) {
      return 'The password you are trying to remove from the user does not exist';
    }
  } else if (rule[0] === '#' || rule[0] === '!') {
    const hash = asciiLower(rule.slice(1));
    if (!/^[0-9a-f]{64}$/.test(hash)) return 'The password hash must be exactly 64 characters and contain only lowercase hexadecimal characters';
    if (rule[0] === '#') {
      user.passwords.add(hash);
      user.nopass = false;
    } else if (!user.passwords.delete(hash)) {
      return 'The password you are trying to remove from the user does not exist';
    }
  } else if (op === 'reset') {
    for (const r of ['resetpass', 'resetkeys', 'resetchannels', 'off', 'sanitize-payload', '-@all']) applyRule(user, r);
  } else if (op === 'allkeys' || rule === '~*') {
    user.allKeys = true;
    user.keyPatterns = ['*'];
  } else if (op === 'resetkeys') {
    user.allKeys = false;
    user.keyPatterns = [];
  } else if (op === 'allchannels' || rule === '&*') {
    user.allChannels = true;
    user.channelPatterns = ['*'];
  } else if (op === 'resetchannels') {
    user.allChannels = false;
    user.channelPatterns = [];
  } else if (op === 'allcommands' || op === '+@all') {
    setAll(user, true);
  } else if (op === 'nocommands' || op === '-@all') {
    setAll(user, false);
  } else if (rule[0] === '~') {
    // Read/write-restricted patterns (%R~ / %W~) are not supported: refused as a syntax error.
    if (user.allKeys) return "Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid and does not have any effect. Try 'resetkeys' to start with an empty list of patterns";
    if (!user.keyPatterns.includes(rule.slice(1))) user.keyPatterns.push(rule.slice(1));
  } else if (rule[0] === '&') {
    if (user.allChannels) return "Adding a pattern after the * pattern (or the 'allchannels' flag) is not valid and does not have any effect. Try 'resetchannels' to start with an empty list of channels";
    if (!user.channelPatterns.includes(rule.slice(1))) user.channelPatterns.push(rule.slice(1));
  } else if ((rule[0] === '+' || rule[0] === '-') && rule[1] === '@') {
    const category = op.slice(2);
    if (!(ACL_CATEGORIES as readonly string[]).includes(category)) return 'Unknown command or category name in ACL';
    for (const spec of specsInCategory(category)) changePerm(user, spec, rule[0] === '+');
  } else if (rule[0] === '+' || rule[0] === '-') {
    const name = op.slice(1);
    const bar = name.lastIndexOf('|');
    if (rule[0] === '+' && bar >= 0) {
      const top = lookupRuleCommand(name.slice(0, bar));
      if (!top) return 'Unknown command or category name in ACL';
      if (top.container) return 'Allowing first-arg of a subcommand is not supported';
      if (name.slice(bar + 1) === '') return 'Syntax error';
      // First-arg rules for commands without subcommands (+select|0) are not supported.
      if (!top.subcommands) return 'Syntax error';
    }
    const spec = lookupRuleCommand(name);
    if (!spec) return 'Unknown command or category name in ACL';
    changePerm(user, spec, rule[0] === '+');
  } else {
    return 'Syntax error';
  }
  user.refresh();
  return null;
}

/** ACLCheckAllUserCommandPerm without channels: may `user` run argv (resolved to `spec`)? */
export function checkPermission(user: AclUser, spec: CommandSpec, argv: readonly string[]): AclDenial {
  if (user.unrestricted) return AclDenial.OK;
  if (!user.allowed.has(spec.fullName)) return AclDenial.COMMAND;
  if (!user.allKeys) {
    const keys = extractKeys(spec, argv);
    for (const ref of keys) {
      const key = argv[ref.pos];
      if (!user.keyPatterns.some((p) => globMatch(p, key))) return AclDenial.KEY;
    }
  }
  return AclDenial.OK;
}

export function denialMessage(denial: AclDenial, spec: CommandSpec): string {
  return denial === AclDenial.COMMAND
    ? `NOPERM this user has no permissions to run the '${spec.fullName}' command`
    : 'NOPERM this user has no permissions to access one of the keys used as arguments';
}

/**
 * The command rules as ACL GETUSER / LIST print them (ACLDescribeSelectorCommandRules):
 * +@all or -@all, then the categories that fit best, then single commands.
 */
export function describeCommands(user: AclUser): string {
  const additive = !user.allowFuture;
  const parts = [additive ? '-@all' : '+@all'];
  const fake = new AclUser('');
  setAll(fake, !additive);
  const temp = new Set(user.allowed);
  const applied = new Set<string>();
  for (;;) {
    let best: string | null = null;
    let minDiff = Infinity;
    let maxSame = 0;
    for (const category of ACL_CATEGORIES) {
      if (applied.has(category)) continue;
      let on = 0;
      let off = 0;
      for (const spec of specsInCategory(category)) {
        if (temp.has(spec.fullName)) on++;
        else off++;
      }
      const diff = additive ? off : on;
      const same = additive ? on : off;
      if (same > diff && (diff < minDiff || (diff === minDiff && same > maxSame))) {
        best = category;
        minDiff = diff;
        maxSame = same;
      }
    }
    if (best === null) break;
    for (const spec of specsInCategory(best)) {
      changePerm(fake, spec, additive);
      if (additive) temp.delete(spec.fullName);
      else temp.add(spec.fullName);
    }
    parts.push((additive ? '+@' : '-@') + best);
    applied.add(best);
  }
  for (const spec of allSpecs()) {
    const userBit = user.allowed.has(spec.fullName);
    if (userBit !== fake.allowed.has(spec.fullName)) {
      parts.push((userBit ? '+' : '-') + spec.fullName);
      changePerm(fake, spec, userBit);
    }
  }
  return parts.join(' ');
}

/** The user as ACL LIST prints it (ACLDescribeUser). */
export function describeUser(user: AclUser): string {
  const parts = [`user ${user.name}`, user.enabled ? 'on' : 'off'];
  if (user.nopass) parts.push('nopass');
  if (user.sanitizePayload) parts.push(user.sanitizePayload);
  for (const hash of user.passwords) parts.push('#' + hash);
  if (user.allKeys) parts.push('~*');
  else for (const p of user.keyPatterns) parts.push('~' + p);
  if (user.allChannels) parts.push('&*');
  else if (user.channelPatterns.length === 0) parts.push('resetchannels');
  else parts.push('resetchannels', ...user.channelPatterns.map((p) => '&' + p));
  parts.push(describeCommands(user));
  return parts.join(' ');
}
