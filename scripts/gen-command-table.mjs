#!/usr/bin/env node
/**
 * Generates src/commands/table/generated.ts from Redis 7.0's command JSON files, with the
 * commands and arguments of Redis 7.2 and 7.4 merged in from scripts/command-additions.json.
 *
 *   node scripts/gen-command-table.mjs [json-dir] [out-file]
 *
 * json-dir defaults to ../shared/redis-commands-7.0 (relative to the repo root), out-file
 * to src/commands/table/generated.ts. The output is committed, so a fresh clone never
 * needs the JSON files. Everything COMMAND INFO / COMMAND DOCS print is precomputed here
 * the way Redis 7.0 computes it at startup (server.c: populateCommandStructure,
 * setImplicitACLCategories, populateCommandLegacyRangeSpec; generate-command-code.py for
 * how JSON fields become C values), so the run-time code only formats.
 */
import { readdirSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const jsonDir = resolve(process.argv[2] ?? join(repoRoot, '..', 'shared', 'redis-commands-7.0'));
const outFile = resolve(process.argv[3] ?? join(repoRoot, 'src', 'commands', 'table', 'generated.ts'));
const additionsFile = join(repoRoot, 'scripts', 'command-additions.json');

/** Command flags in the order COMMAND INFO prints them; hidden flags are absent (server.c addReplyFlagsForCommand). */
const PRINTED_COMMAND_FLAGS = [
  'WRITE', 'READONLY', 'DENYOOM', 'MODULE', 'ADMIN', 'PUBSUB', 'NOSCRIPT', 'BLOCKING', 'LOADING',
  'STALE', 'SKIP_MONITOR', 'SKIP_SLOWLOG', 'ASKING', 'FAST', 'NO_AUTH', 'NO_MANDATORY_KEYS',
  'NO_ASYNC_LOADING', 'NO_MULTI', 'MOVABLE_KEYS', 'ALLOW_BUSY',
];
/** The printed name differs from the JSON / enum name only for this one. */
const PRINTED_FLAG_NAME = { MOVABLE_KEYS: 'movablekeys' };
const KNOWN_COMMAND_FLAGS = new Set([
  ...PRINTED_COMMAND_FLAGS,
  'MAY_REPLICATE', 'SENTINEL', 'ONLY_SENTINEL', 'PROTECTED', 'TOUCHES_ARBITRARY_KEYS',
]);

/** ACL categories in the order COMMAND INFO prints them (acl.c ACLCommandCategories). */
const ACL_CATEGORY_ORDER = [
  'keyspace', 'read', 'write', 'set', 'sortedset', 'list', 'hash', 'string', 'bitmap',
  'hyperloglog', 'geo', 'stream', 'pubsub', 'admin', 'fast', 'slow', 'blocking', 'dangerous',
  'connection', 'transaction', 'scripting',
];

const KEY_FLAG_ORDER = [
  'RO', 'RW', 'OW', 'RM', 'ACCESS', 'UPDATE', 'INSERT', 'DELETE', 'NOT_KEY', 'INCOMPLETE', 'VARIABLE_FLAGS',
];

const DOC_FLAG_ORDER = ['DEPRECATED', 'SYSCMD'];

/** JSON group names -> names COMMAND DOCS prints (server.c COMMAND_GROUP_STR). */
const GROUP_NAMES = { sorted_set: 'sorted-set' };

const ARG_TYPES = new Set([
  'string', 'integer', 'double', 'key', 'pattern', 'unix-time', 'pure-token', 'oneof', 'block',
]);

function fail(message) {
  console.error(`gen-command-table: ${message}`);
  process.exit(1);
}

/**
 * Redis's generator pastes JSON strings between double quotes into C source, so a value
 * holding quotes becomes several adjacent C literals (MIGRATE's token `""` ends up as the
 * empty string). Reproduce what the C compiler makes of it.
 */
function asCStringLiteral(value) {
  if (!value.includes('"')) return value;
  const pieces = `"${value}"`.split('"');
  if (pieces.some((piece, i) => i % 2 === 0 && piece.trim() !== '')) {
    fail(`cannot reproduce the C literal for ${JSON.stringify(value)}`);
  }
  return pieces.filter((_, i) => i % 2 === 1).join('');
}

function readCommandFiles() {
  const files = readdirSync(jsonDir).filter((f) => f.endsWith('.json')).sort();
  if (files.length === 0) fail(`no JSON files in ${jsonDir}`);
  const entries = [];
  for (const file of files) {
    const parsed = JSON.parse(readFileSync(join(jsonDir, file), 'utf8'));
    for (const [name, desc] of Object.entries(parsed)) entries.push({ name: name.toLowerCase(), desc });
  }
  return entries;
}

/**
 * The 7.2/7.4 additions: new commands join the 7.0 entries (a newer spec of a 7.0 command is
 * refused: those are patches), and each patch appends arguments (at a path of argument names)
 * and history entries to a 7.0 spec, and may change its arity.
 */
function mergeAdditions(entries) {
  const additions = JSON.parse(readFileSync(additionsFile, 'utf8'));
  const keyOf = (name, desc) => (desc.container ? `${desc.container.toLowerCase()}|${name}` : name);
  const byKey = new Map(entries.map((e) => [keyOf(e.name, e.desc), e]));
  for (const [upperName, desc] of Object.entries(additions.commands)) {
    const name = upperName.toLowerCase();
    if (byKey.has(keyOf(name, desc))) fail(`addition ${keyOf(name, desc)} already exists in 7.0: write a patch`);
    const entry = { name, desc };
    entries.push(entry);
    byKey.set(keyOf(name, desc), entry);
  }
  for (const [key, patch] of Object.entries(additions.patches)) {
    const entry = byKey.get(key);
    if (!entry) fail(`patch for unknown command ${key}`);
    const desc = structuredClone(entry.desc);
    if (!patch.version) fail(`patch ${key} names no version`);
    desc.extended_in = patch.version;
    if (patch.arity !== undefined) desc.arity = patch.arity;
    if (patch.history) desc.history = [...(desc.history ?? []), ...patch.history];
    if (patch.append_arguments) {
      let list = (desc.arguments ??= []);
      for (const step of patch.append_arguments.path) {
        const next = list.find((a) => a.name === step);
        if (!next || !next.arguments) fail(`patch ${key}: no argument block ${step}`);
        list = next.arguments;
      }
      list.push(...patch.append_arguments.arguments);
    }
    entry.desc = desc;
  }
  return entries;
}

function convertKeySpec(raw) {
  for (const flag of raw.flags ?? []) if (!KEY_FLAG_ORDER.includes(flag)) fail(`unknown key flag ${flag}`);
  const flags = raw.flags ?? [];
  let beginSearch;
  if (raw.begin_search.index) beginSearch = { type: 'index', pos: raw.begin_search.index.pos };
  else if (raw.begin_search.keyword) {
    const { keyword, startfrom } = raw.begin_search.keyword;
    beginSearch = { type: 'keyword', keyword, startfrom };
  } else if ('unknown' in raw.begin_search) beginSearch = { type: 'unknown' };
  else fail(`bad begin_search ${JSON.stringify(raw.begin_search)}`);

  let findKeys;
  if (raw.find_keys.range) {
    const { lastkey, step, limit } = raw.find_keys.range;
    findKeys = { type: 'range', lastkey, step, limit };
  } else if (raw.find_keys.keynum) {
    const { keynumidx, firstkey, step } = raw.find_keys.keynum;
    findKeys = { type: 'keynum', keynumidx, firstkey, step };
  } else if ('unknown' in raw.find_keys) findKeys = { type: 'unknown' };
  else fail(`bad find_keys ${JSON.stringify(raw.find_keys)}`);

  const spec = {};
  if (raw.notes) spec.notes = raw.notes;
  spec.flags = flags;
  spec.flagBits = code(bitExpression('KeyFlag', flags));
  spec.beginSearch = beginSearch;
  spec.findKeys = findKeys;
  return spec;
}

function convertArgument(raw) {
  if (!ARG_TYPES.has(raw.type)) fail(`unknown argument type ${raw.type}`);
  const arg = { name: raw.name.toLowerCase(), type: raw.type };
  if (raw.token !== undefined) arg.token = asCStringLiteral(raw.token.toUpperCase());
  if (raw.key_spec_index !== undefined) arg.keySpecIndex = raw.key_spec_index;
  if (raw.optional) arg.optional = true;
  if (raw.multiple) arg.multiple = true;
  if (raw.multiple_token) arg.multipleToken = true;
  if (raw.since) arg.since = raw.since;
  if (raw.deprecated_since) arg.deprecatedSince = raw.deprecated_since;
  if (raw.type === 'oneof' || raw.type === 'block') arg.arguments = (raw.arguments ?? []).map(convertArgument);
  return arg;
}

/** setImplicitACLCategories (server.c): categories every command gets from its flags. */
function aclCategoriesOf(desc, commandFlags) {
  const categories = new Set((desc.acl_categories ?? []).map((c) => c.toLowerCase()));
  for (const c of categories) if (!ACL_CATEGORY_ORDER.includes(c)) fail(`unknown ACL category ${c}`);
  const has = (flag) => commandFlags.has(flag);
  if (has('WRITE')) categories.add('write');
  // Scripting commands are read-only for the dispatcher but must not land in @read.
  if (has('READONLY') && !categories.has('scripting')) categories.add('read');
  if (has('ADMIN')) categories.add('admin').add('dangerous');
  if (has('PUBSUB')) categories.add('pubsub');
  if (has('FAST')) categories.add('fast');
  if (has('BLOCKING')) categories.add('blocking');
  if (!categories.has('fast')) categories.add('slow');
  return ACL_CATEGORY_ORDER.filter((c) => categories.has(c)).map((c) => `@${c}`);
}

/**
 * populateCommandLegacyRangeSpec (server.c): folds the plain index+range key specs into the
 * (first, last, step) triple of old COMMAND replies, and reports whether the command needs
 * "movablekeys" because that triple cannot describe all of its keys.
 * Returns the values as COMMAND INFO prints them (last is absolute, or negative).
 */
function legacyKeyRange(keySpecs) {
  const none = { firstKey: 0, lastKey: 0, keyStep: 0 };
  if (keySpecs.length === 0) return { ...none, movable: false };
  const isPlainRange = (s) => s.beginSearch.type === 'index' && s.findKeys.type === 'range';
  const isIncomplete = (s) => s.flags.includes('INCOMPLETE');

  if (keySpecs.length === 1 && isPlainRange(keySpecs[0])) {
    const only = keySpecs[0];
    const last = only.findKeys.lastkey >= 0 ? only.findKeys.lastkey + only.beginSearch.pos : only.findKeys.lastkey;
    return { firstKey: only.beginSearch.pos, lastKey: last, keyStep: only.findKeys.step, movable: isIncomplete(only) };
  }

  let movable = false;
  let first = Infinity;
  let last = 0;
  let previousLast = 0;
  for (const spec of keySpecs) {
    if (!isPlainRange(spec)) {
      movable = true;
      continue;
    }
    if (spec.findKeys.step !== 1 || (previousLast !== 0 && previousLast !== spec.beginSearch.pos - 1)) {
      movable = true;
      continue;
    }
    if (isIncomplete(spec)) movable = true;
    first = Math.min(first, spec.beginSearch.pos);
    const absoluteLast = spec.findKeys.lastkey >= 0 ? spec.findKeys.lastkey + spec.beginSearch.pos : spec.findKeys.lastkey;
    // Redis compares as unsigned, so a negative (relative-to-end) last key wins.
    if (absoluteLast >>> 0 > last >>> 0) last = absoluteLast;
    previousLast = last;
  }
  if (first === Infinity) return { ...none, movable: true };
  return { firstKey: first, lastKey: last, keyStep: 1, movable };
}

function bitExpression(enumName, names) {
  return names.length === 0 ? '0' : names.map((n) => `${enumName}.${n}`).join(' | ');
}

function buildSpec(name, desc, container) {
  const commandFlags = new Set(desc.command_flags ?? []);
  for (const flag of commandFlags) if (!KNOWN_COMMAND_FLAGS.has(flag)) fail(`unknown command flag ${flag} in ${name}`);
  const keySpecs = (desc.key_specs ?? []).map(convertKeySpec);
  const range = legacyKeyRange(keySpecs);
  if (range.movable) commandFlags.add('MOVABLE_KEYS');
  const flagNamesInBitOrder = [...KNOWN_COMMAND_FLAGS].filter((f) => commandFlags.has(f));

  const spec = {};
  spec.fullName = container ? `${container}|${name}` : name;
  spec.name = name;
  if (container) spec.container = container;
  spec.summary = desc.summary;
  spec.since = desc.since;
  spec.group = GROUP_NAMES[desc.group] ?? desc.group;
  if (desc.complexity) spec.complexity = desc.complexity;
  const docFlags = DOC_FLAG_ORDER.filter((f) => (desc.doc_flags ?? []).includes(f)).map((f) => f.toLowerCase());
  if (docFlags.length > 0) spec.docFlags = docFlags;
  if (desc.deprecated_since) spec.deprecatedSince = desc.deprecated_since;
  if (desc.replaced_by) spec.replacedBy = desc.replaced_by;
  if (desc.history && desc.history.length > 0) spec.history = desc.history.map(([since, change]) => [since, change]);
  if (desc.extended_in) spec.extendedIn = desc.extended_in;
  spec.arity = desc.arity;
  spec.flags = PRINTED_COMMAND_FLAGS.filter((f) => commandFlags.has(f)).map((f) => PRINTED_FLAG_NAME[f] ?? f.toLowerCase());
  spec.flagBits = code(bitExpression('CmdFlag', flagNamesInBitOrder));
  spec.aclCategories = aclCategoriesOf(desc, commandFlags);
  spec.tips = (desc.command_tips ?? []).map((t) => t.toLowerCase());
  spec.keySpecs = keySpecs;
  spec.firstKey = range.firstKey;
  spec.lastKey = range.lastKey;
  spec.keyStep = range.keyStep;
  spec.arguments = (desc.arguments ?? []).map(convertArgument);
  if (desc.get_keys_function) spec.getKeysFunction = desc.get_keys_function;
  return spec;
}

function buildTable(entries) {
  // Sentinel-only commands do not exist in a non-sentinel server (populateCommandStructure).
  const present = entries.filter(({ desc }) => !(desc.command_flags ?? []).includes('ONLY_SENTINEL'));
  const topLevel = present.filter(({ desc }) => !desc.container);
  const subcommandsByContainer = new Map();
  for (const { name, desc } of present) {
    if (!desc.container) continue;
    const container = desc.container.toLowerCase();
    if (!subcommandsByContainer.has(container)) subcommandsByContainer.set(container, []);
    subcommandsByContainer.get(container).push({ name, desc });
  }

  const byName = (a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  const specs = topLevel.sort(byName).map(({ name, desc }) => {
    const spec = buildSpec(name, desc);
    const subs = subcommandsByContainer.get(name);
    if (subs) {
      spec.subcommands = {};
      for (const sub of subs.sort(byName)) {
        // Redis's generator lets subcommands inherit the container's group.
        spec.subcommands[sub.name] = buildSpec(sub.name, { ...sub.desc, group: desc.group }, name);
      }
      subcommandsByContainer.delete(name);
    }
    return spec;
  });
  if (subcommandsByContainer.size > 0) fail(`subcommands without a container: ${[...subcommandsByContainer.keys()]}`);
  return specs;
}

// ---- Printing: TypeScript object literals, one line when short, indented otherwise ----

const CODE = Symbol('code');
/** A value printed verbatim as TypeScript (enum bit expressions). */
function code(text) {
  return { [CODE]: text };
}

const MAX_LINE = 110;
const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

function printKey(key) {
  return IDENTIFIER.test(key) ? key : JSON.stringify(key);
}

function printInline(value) {
  if (value !== null && typeof value === 'object' && CODE in value) return value[CODE];
  if (Array.isArray(value)) return `[${value.map(printInline).join(', ')}]`;
  if (value !== null && typeof value === 'object') {
    const fields = Object.entries(value).map(([k, v]) => `${printKey(k)}: ${printInline(v)}`);
    return fields.length === 0 ? '{}' : `{ ${fields.join(', ')} }`;
  }
  return JSON.stringify(value);
}

function print(value, indent, prefix) {
  const inline = printInline(value);
  const isContainer = value !== null && typeof value === 'object' && !(CODE in value);
  if (!isContainer || indent.length + prefix.length + inline.length + 1 <= MAX_LINE) return inline;
  const inner = indent + '  ';
  if (Array.isArray(value)) {
    return `[\n${value.map((v) => `${inner}${print(v, inner, '')},\n`).join('')}${indent}]`;
  }
  const lines = Object.entries(value).map(([k, v]) => {
    const keyPrefix = `${printKey(k)}: `;
    return `${inner}${keyPrefix}${print(v, inner, keyPrefix)},\n`;
  });
  return `{\n${lines.join('')}${indent}}`;
}

function render(specs) {
  const header = [
    '// Generated by scripts/gen-command-table.mjs from the Redis 7.0 command JSON files and',
    '// scripts/command-additions.json (what 7.2 and 7.4 added).',
    '// Do not edit by hand: change the generator and run `npm run gen:commands`.',
    "import { CmdFlag, KeyFlag, type CommandSpec } from '../spec.js';",
    '',
    '/** Every top-level command of Redis 7.0 and the 7.2/7.4 additions (sentinel-only ones excluded), sorted by name. */',
    'export const COMMAND_SPECS: readonly CommandSpec[] = [',
  ];
  const body = specs.map((spec) => `  ${print(spec, '  ', '')},`);
  return [...header, ...body, '];', ''].join('\n');
}

const specs = buildTable(mergeAdditions(readCommandFiles()));
const text = render(specs);
if (/[^\x00-\x7f]/.test(text)) fail('non-ASCII text would not survive binary-string replies');
mkdirSync(dirname(outFile), { recursive: true });
writeFileSync(outFile, text);
const subcommandCount = specs.reduce((n, s) => n + Object.keys(s.subcommands ?? {}).length, 0);
console.log(`gen-command-table: ${specs.length} commands, ${subcommandCount} subcommands -> ${outFile}`);
