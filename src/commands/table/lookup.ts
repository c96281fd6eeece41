/**
 * Name lookups over the generated command table. Redis's command dicts are
 * case-insensitive (ASCII only, like strcasecmp), so names are folded with asciiLower.
 */
import type { CommandSpec } from '../spec.js';
import { COMMAND_SPECS } from './generated.js';

const TOP_LEVEL_BY_NAME: ReadonlyMap<string, CommandSpec> = new Map(COMMAND_SPECS.map((s) => [s.name, s]));

/** Lower-cases A-Z only, as C's tolower does; other bytes of a binary string are kept. */
export function asciiLower(s: string): string {
  return /[A-Z]/.test(s) ? s.replace(/[A-Z]+/g, (m) => m.toLowerCase()) : s;
}

/** A top-level command by name, case-insensitively. */
export function findCommandSpec(name: string): CommandSpec | undefined {
  return TOP_LEVEL_BY_NAME.get(asciiLower(name));
}

/** A subcommand of `parent` (a spec or a container name), case-insensitively. */
export function findSubcommandSpec(parent: CommandSpec | string, name: string): CommandSpec | undefined {
  const container = typeof parent === 'string' ? findCommandSpec(parent) : parent;
  const subcommands = container?.subcommands;
  if (subcommands === undefined) return undefined;
  const key = asciiLower(name);
  return Object.hasOwn(subcommands, key) ? subcommands[key] : undefined;
}

/**
 * A command by full name, "get" or "config|get", as COMMAND INFO / DOCS accept it
 * (lookupCommandBySds): one level of subcommands only, and a name with a "|" part must
 * name an actual subcommand.
 */
export function findSpecByFullName(fullName: string): CommandSpec | undefined {
  const parts = fullName.split('|');
  if (parts.length === 1) return findCommandSpec(parts[0]);
  if (parts.length > 2) return undefined;
  return findSubcommandSpec(parts[0], parts[1]);
}

/** All top-level specs, in table order (sorted by name). */
export function topLevelSpecs(): readonly CommandSpec[] {
  return COMMAND_SPECS;
}

/** The subcommands of a container (empty for other commands), sorted by name. */
export function subcommandsOf(spec: CommandSpec): CommandSpec[] {
  return spec.subcommands === undefined ? [] : Object.values(spec.subcommands);
}

/** Every spec: each top-level command followed by its subcommands. */
export function* allSpecs(): Generator<CommandSpec> {
  for (const spec of COMMAND_SPECS) {
    yield spec;
    yield* subcommandsOf(spec);
  }
}

/** Whether a "major.minor.patch" version is newer than any 7.0 release. */
function isAfter70(version: string): boolean {
  const [major, minor] = version.split('.').map(Number);
  return major > 7 || (major === 7 && minor > 0);
}

/** A command that Redis 7.2 or 7.4 added (scripts/command-additions.json). */
export function isAddedAfter70(spec: CommandSpec): boolean {
  return isAfter70(spec.since);
}

/** A 7.0 command whose spec 7.2 or 7.4 extended (new arguments, a history entry). */
export function isExtendedAfter70(spec: CommandSpec): boolean {
  return spec.extendedIn !== undefined;
}
