/**
 * Binds command handlers to the declarative command table. A command is "implemented"
 * when a handler is registered for its full name ("get", "config|get"); a container is
 * implemented when any of its subcommands is.
 */
import type { Reply } from '../protocol/reply.js';
import type { Client } from '../server/client.js';
import type { CommandSpec } from './spec.js';
import { asciiLower, topLevelSpecs } from './table/lookup.js';

/** A command handler: runs the command for `client` and returns its reply. */
export type Handler = (client: Client, args: string[]) => Reply;

/** The flags of a call whose flags depend on its arguments (EVAL/FCALL: the script's). */
export type DynamicFlags = (client: Client, args: string[]) => number;

export interface CommandEntry {
  readonly spec: CommandSpec;
  /** null for a container command called without a subcommand handler of its own. */
  handler: Handler | null;
  /** Subcommand entries of a container (null for plain commands). */
  readonly subcommands: Map<string, CommandEntry> | null;
  /** `spec.flagBits`, copied for the hot path. */
  readonly flags: number;
  /** Set by registerDynamicFlags: dispatch asks it instead of reading `flags`. */
  dynamicFlags?: DynamicFlags;
}

const entries = new Map<string, CommandEntry>();
/** Raw (as sent) command name -> entry; avoids lower-casing on every call. */
const byRawName = new Map<string, CommandEntry | null>();
const RAW_CACHE_LIMIT = 4096;

function topEntry(name: string, fullName: string): CommandEntry {
  let e = entries.get(name);
  if (e) return e;
  const spec = topLevelSpecs().find((s) => s.name === name);
  if (!spec) throw new Error(`no command spec for ${fullName}`);
  e = { spec, handler: null, subcommands: spec.subcommands ? new Map() : null, flags: spec.flagBits };
  entries.set(name, e);
  return e;
}

/** Registers a group's handlers, keyed by full name: { get: ..., 'config|get': ... }. */
export function registerHandlers(group: Record<string, Handler>): void {
  for (const [fullName, handler] of Object.entries(group)) {
    const [top, sub] = fullName.split('|');
    const container = topEntry(top, fullName);
    if (sub === undefined) {
      container.handler = handler;
      continue;
    }
    const subSpec = container.spec.subcommands?.[sub];
    if (!subSpec) throw new Error(`no command spec for ${fullName}`);
    container.subcommands!.set(sub, { spec: subSpec, handler, subcommands: null, flags: subSpec.flagBits });
  }
  byRawName.clear();
}

/** Declares that `fullName`'s flags depend on its arguments (after its handler registered). */
export function registerDynamicFlags(fullName: string, flags: DynamicFlags): void {
  const entry = entryByFullName(fullName);
  if (!entry) throw new Error(`no handler registered for ${fullName}`);
  entry.dynamicFlags = flags;
}

/** The entry for a command name as sent by a client (any case), or undefined. */
export function lookupCommand(rawName: string): CommandEntry | undefined {
  let e = byRawName.get(rawName);
  if (e !== undefined) return e ?? undefined;
  e = entries.get(asciiLower(rawName)) ?? null;
  if (byRawName.size < RAW_CACHE_LIMIT) byRawName.set(rawName, e);
  return e ?? undefined;
}

export function lookupSubcommand(container: CommandEntry, rawName: string): CommandEntry | undefined {
  return container.subcommands?.get(asciiLower(rawName));
}

/** For COMMAND COUNT/INFO/DOCS/LIST: only implemented commands are shown. */
export function isImplemented(fullName: string): boolean {
  const [top, sub] = fullName.split('|');
  const e = entries.get(top);
  if (!e) return false;
  return sub === undefined ? true : (e.subcommands?.has(sub) ?? false);
}

/** The entry for a full name ("get", "config|get"). */
export function entryByFullName(fullName: string): CommandEntry | undefined {
  const [top, sub] = fullName.split('|');
  const e = entries.get(top);
  if (!e || sub === undefined) return e;
  return e.subcommands?.get(sub);
}
