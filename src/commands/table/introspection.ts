/**
 * Replies of the COMMAND introspection commands, built from the generated table exactly as
 * Redis 7.0.15 builds them (server.c: addReplyCommandInfo, addReplyCommandDocs,
 * commandListCommand, getKeysSubcommandImpl, commandHelpCommand).
 *
 * Only implemented commands are visible: every function takes an `isImplemented`
 * predicate over full names ("get", "config|get"). A container is visible when it, or
 * any of its subcommands, is implemented; its visible subcommands are the implemented ones.
 *
 * Redis iterates its command dicts in hash order, which is seeded randomly at startup, so
 * no listing order is "the" order: lunakv lists in table order (sorted by name).
 */
import { globMatch } from '../../keyspace/glob.js';
import { ErrorReply, Errors, MapReply, type Reply, SetReply, SimpleReply } from '../../protocol/reply.js';
import { helpLines } from '../../protocol/reply-texts.js';
import type { ArgSpec, CommandSpec, KeySpec } from '../spec.js';
import { type Handler, isImplemented as isRegistered } from '../registry.js';
import { getKeysAndFlags, keyFlagNames } from './keys.js';
import { asciiLower, findCommandSpec, findSpecByFullName, findSubcommandSpec, subcommandsOf, topLevelSpecs } from './lookup.js';

export type ImplementedPredicate = (fullName: string) => boolean;

/** Every command counts as implemented (tests, tools). */
export const ALL_IMPLEMENTED: ImplementedPredicate = () => true;

// ---- Visibility ----

function isVisible(spec: CommandSpec, isImplemented: ImplementedPredicate): boolean {
  if (isImplemented(spec.fullName)) return true;
  return spec.container === undefined && subcommandsOf(spec).some((sub) => isImplemented(sub.fullName));
}

/** The visible top-level commands, in table order. */
export function visibleCommands(isImplemented: ImplementedPredicate): CommandSpec[] {
  return topLevelSpecs().filter((spec) => isVisible(spec, isImplemented));
}

function visibleSubcommands(spec: CommandSpec, isImplemented: ImplementedPredicate): CommandSpec[] {
  return subcommandsOf(spec).filter((sub) => isImplemented(sub.fullName));
}

/** lookupCommandBySds over the visible commands: "get", "config|get". */
function lookupVisible(fullName: string, isImplemented: ImplementedPredicate): CommandSpec | undefined {
  const spec = findSpecByFullName(fullName);
  return spec !== undefined && isVisible(spec, isImplemented) ? spec : undefined;
}

// ---- COMMAND INFO ----

const statuses = (names: readonly string[]): SetReply => new SetReply(names.map((n) => new SimpleReply(n)));

function keySpecReply(keySpec: KeySpec): MapReply {
  const entries: Reply[] = [];
  if (keySpec.notes !== undefined) entries.push('notes', keySpec.notes);
  entries.push('flags', statuses(keyFlagNames(keySpec.flagBits)));

  const search = keySpec.beginSearch;
  let searchSpec: MapReply;
  if (search.type === 'index') searchSpec = new MapReply(['index', search.pos]);
  else if (search.type === 'keyword') searchSpec = new MapReply(['keyword', search.keyword, 'startfrom', search.startfrom]);
  else searchSpec = new MapReply([]);
  entries.push('begin_search', new MapReply(['type', search.type, 'spec', searchSpec]));

  const find = keySpec.findKeys;
  let findSpec: MapReply;
  if (find.type === 'range') findSpec = new MapReply(['lastkey', find.lastkey, 'keystep', find.step, 'limit', find.limit]);
  else if (find.type === 'keynum') {
    findSpec = new MapReply(['keynumidx', find.keynumidx, 'firstkey', find.firstkey, 'keystep', find.step]);
  } else findSpec = new MapReply([]);
  entries.push('find_keys', new MapReply(['type', find.type, 'spec', findSpec]));
  return new MapReply(entries);
}

/** One COMMAND INFO entry: the 10-element array, subcommands nested; null for no command. */
export function commandInfoEntry(spec: CommandSpec | undefined, isImplemented: ImplementedPredicate): Reply {
  if (spec === undefined) return null;
  return [
    spec.fullName,
    spec.arity,
    statuses(spec.flags),
    spec.firstKey,
    spec.lastKey,
    spec.keyStep,
    statuses(spec.aclCategories),
    new SetReply(spec.tips),
    new SetReply(spec.keySpecs.map(keySpecReply)),
    spec.subcommands === undefined
      ? new SetReply([])
      : visibleSubcommands(spec, isImplemented).map((sub) => commandInfoEntry(sub, isImplemented)),
  ];
}

/** COMMAND (no arguments), and COMMAND INFO without names. */
export function commandAllReply(isImplemented: ImplementedPredicate): Reply {
  return visibleCommands(isImplemented).map((spec) => commandInfoEntry(spec, isImplemented));
}

/** COMMAND INFO [name ...]: one entry per name, null for unknown names. */
export function commandInfoReply(names: readonly string[], isImplemented: ImplementedPredicate): Reply {
  if (names.length === 0) return commandAllReply(isImplemented);
  return names.map((name) => commandInfoEntry(lookupVisible(name, isImplemented), isImplemented));
}

/** COMMAND COUNT: top-level commands only. */
export function commandCountReply(isImplemented: ImplementedPredicate): Reply {
  return visibleCommands(isImplemented).length;
}

// ---- COMMAND DOCS ----

function argumentReply(arg: ArgSpec): MapReply {
  const entries: Reply[] = ['name', arg.name, 'type', arg.type];
  if (arg.keySpecIndex !== undefined) entries.push('key_spec_index', arg.keySpecIndex);
  if (arg.token !== undefined) entries.push('token', arg.token);
  if (arg.since !== undefined) entries.push('since', arg.since);
  if (arg.deprecatedSince !== undefined) entries.push('deprecated_since', arg.deprecatedSince);
  const flags: string[] = [];
  if (arg.optional) flags.push('optional');
  if (arg.multiple) flags.push('multiple');
  if (arg.multipleToken) flags.push('multiple_token');
  if (flags.length > 0) entries.push('flags', statuses(flags));
  if (arg.type === 'oneof' || arg.type === 'block') entries.push('arguments', (arg.arguments ?? []).map(argumentReply));
  return new MapReply(entries);
}

/** The COMMAND DOCS map of one command (without its name). */
export function commandDocsEntry(spec: CommandSpec, isImplemented: ImplementedPredicate): MapReply {
  const entries: Reply[] = ['summary', spec.summary, 'since', spec.since, 'group', spec.group];
  if (spec.complexity !== undefined) entries.push('complexity', spec.complexity);
  if (spec.docFlags !== undefined) entries.push('doc_flags', statuses(spec.docFlags));
  if (spec.deprecatedSince !== undefined) entries.push('deprecated_since', spec.deprecatedSince);
  if (spec.replacedBy !== undefined) entries.push('replaced_by', spec.replacedBy);
  if (spec.history !== undefined) entries.push('history', new SetReply(spec.history.map(([since, change]) => [since, change])));
  if (spec.arguments.length > 0) entries.push('arguments', spec.arguments.map(argumentReply));
  if (spec.subcommands !== undefined) {
    const subs: Reply[] = [];
    for (const sub of visibleSubcommands(spec, isImplemented)) subs.push(sub.fullName, commandDocsEntry(sub, isImplemented));
    entries.push('subcommands', new MapReply(subs));
  }
  return new MapReply(entries);
}

/** COMMAND DOCS [name ...]: a map name -> docs; unknown names are left out. */
export function commandDocsReply(names: readonly string[], isImplemented: ImplementedPredicate): Reply {
  const specs =
    names.length === 0
      ? visibleCommands(isImplemented)
      : names.map((name) => lookupVisible(name, isImplemented)).filter((s): s is CommandSpec => s !== undefined);
  const entries: Reply[] = [];
  for (const spec of specs) entries.push(spec.fullName, commandDocsEntry(spec, isImplemented));
  return new MapReply(entries);
}

// ---- COMMAND LIST ----

/** ACL category names COMMAND LIST FILTERBY ACLCAT accepts (acl.c ACLCommandCategories). */
const ACL_CATEGORY_NAMES = new Set([
  'keyspace', 'read', 'write', 'set', 'sortedset', 'list', 'hash', 'string', 'bitmap', 'hyperloglog', 'geo',
  'stream', 'pubsub', 'admin', 'fast', 'slow', 'blocking', 'dangerous', 'connection', 'transaction', 'scripting',
]);

/** COMMAND LIST [FILTERBY MODULE m | ACLCAT c | PATTERN p]; `args` follow "LIST". */
export function commandListReply(args: readonly string[], isImplemented: ImplementedPredicate): Reply {
  let filter: ((spec: CommandSpec) => boolean) | undefined;
  // Exactly one FILTERBY clause, which must end the command; anything else is a syntax error.
  if (args.length > 0) {
    if (args.length !== 3 || asciiLower(args[0]) !== 'filterby') return Errors.syntax;
    const kind = asciiLower(args[1]);
    const value = args[2];
    if (kind === 'module') {
      filter = () => false; // lunakv loads no modules.
    } else if (kind === 'aclcat') {
      const category = asciiLower(value);
      filter = ACL_CATEGORY_NAMES.has(category)
        ? (spec) => spec.aclCategories.includes(`@${category}`)
        : () => false;
    } else if (kind === 'pattern') {
      filter = (spec) => globMatch(value, spec.fullName, true);
    } else {
      return Errors.syntax;
    }
  }
  const names: Reply[] = [];
  for (const spec of visibleCommands(isImplemented)) {
    if (filter === undefined || filter(spec)) names.push(spec.fullName);
    for (const sub of visibleSubcommands(spec, isImplemented)) {
      if (filter === undefined || filter(sub)) names.push(sub.fullName);
    }
  }
  return names;
}

// ---- COMMAND GETKEYS / GETKEYSANDFLAGS ----

/**
 * lookupCommand (non-strict) over the visible commands: argv[0] names the command, and
 * for a container argv[1] its subcommand (a lone container name gives the container).
 */
function lookupForGetKeys(argv: readonly string[], isImplemented: ImplementedPredicate): CommandSpec | undefined {
  const base = findCommandSpec(argv[0]);
  if (base === undefined || !isVisible(base, isImplemented)) return undefined;
  if (argv.length === 1 || base.subcommands === undefined) return base;
  const sub = findSubcommandSpec(base, argv[1]);
  return sub !== undefined && isImplemented(sub.fullName) ? sub : undefined;
}

/** COMMAND GETKEYS / GETKEYSANDFLAGS <full command>; `argv` is the analysed command line. */
export function commandGetKeysReply(argv: readonly string[], withFlags: boolean, isImplemented: ImplementedPredicate): Reply {
  const spec = argv.length === 0 ? undefined : lookupForGetKeys(argv, isImplemented);
  if (spec === undefined) return new ErrorReply('ERR Invalid command specified');
  const keys = getKeysAndFlags(spec, argv);
  if (keys instanceof ErrorReply) return keys;
  return keys.map(({ pos, flags }) => (withFlags ? [argv[pos], statuses(keyFlagNames(flags))] : argv[pos]));
}

// ---- COMMAND HELP ----

const HELP_LINES = [
  '(no subcommand)',
  '    Return details about all Redis commands.',
  'COUNT',
  '    Return the total number of commands in this Redis server.',
  'LIST',
  '    Return a list of all commands in this Redis server.',
  'INFO [<command-name> ...]',
  '    Return details about multiple Redis commands.',
  '    If no command names are given, documentation details for all',
  '    commands are returned.',
  'DOCS [<command-name> ...]',
  '    Return documentation details about multiple Redis commands.',
  '    If no command names are given, documentation details for all',
  '    commands are returned.',
  'GETKEYS <full-command>',
  '    Return the keys from a full Redis command.',
  'GETKEYSANDFLAGS <full-command>',
  '    Return the keys and the access flags from a full Redis command.',
];

/** COMMAND HELP. */
export function commandHelpReply(): Reply {
  return helpLines('COMMAND', HELP_LINES);
}

// ---- Handlers ----

/**
 * The COMMAND handlers over the handler registry, keyed by full name. `args` is the whole
 * command line ("COMMAND", "INFO", names...); the dispatcher has already checked arity and
 * routed unknown subcommands.
 */
export const commandIntrospectionHandlers: Record<string, Handler> = {
  command: () => commandAllReply(isRegistered),
  'command|count': () => commandCountReply(isRegistered),
  'command|info': (_client, args) => commandInfoReply(args.slice(2), isRegistered),
  'command|docs': (_client, args) => commandDocsReply(args.slice(2), isRegistered),
  'command|list': (_client, args) => commandListReply(args.slice(2), isRegistered),
  'command|getkeys': (_client, args) => commandGetKeysReply(args.slice(2), false, isRegistered),
  'command|getkeysandflags': (_client, args) => commandGetKeysReply(args.slice(2), true, isRegistered),
  'command|help': () => commandHelpReply(),
};
