/**
 * The CommandRunner a server's scripting engine is created with (miniredis's
 * mkLua(srv, ...) gets the server the same way): commands are looked up as scripts see
 * them and run through dispatch's call(), and the run context asks dispatch's own
 * predicates about replicas. Scripting itself never imports the dispatcher.
 */
import type { Server } from '../server/server.js';
import { call, enoughGoodReplicas, replicaRefusesWrites, staleReplica } from '../server/dispatch.js';
import { ScriptingEngine } from '../scripting/engine.js';
import type { CommandRunner } from '../scripting/run-context.js';
import { lookupCommand, lookupSubcommand, type CommandEntry } from './registry.js';
import { findCommandSpec, findSubcommandSpec } from './table/lookup.js';

/** Creates `server`'s scripting engine, wired to this server's dispatcher. */
export function installScripting(server: Server): ScriptingEngine {
  return ScriptingEngine.install(server, commandRunner(server));
}

export function commandRunner(server: Server): CommandRunner {
  return {
    lookup: scriptCommand,
    // Every command the run context passes here came from `lookup` (a CommandEntry).
    call(client, command: CommandEntry, argv) {
      return call(client, command, argv);
    },
    enoughGoodReplicas: () => enoughGoodReplicas(server),
    replicaRefusesWrites: () => replicaRefusesWrites(server),
    staleReplica: () => staleReplica(server),
  };
}

/** lookupCommand(argv, argc) as scripts see it: null for unknown commands and subcommands. */
function scriptCommand(argv: string[]): CommandEntry | null {
  const top = lookupCommand(argv[0]);
  if (top) {
    if (!top.subcommands || argv.length < 2) return top;
    const sub = lookupSubcommand(top, argv[1]);
    if (sub) return sub;
  }
  return unimplementedCommand(argv);
}

/**
 * A command of Redis's table that lunakv has no handler for: an entry without a
 * handler, so scripts still get Redis's checks (noscript, arity) before "unknown".
 */
function unimplementedCommand(argv: string[]): CommandEntry | null {
  const topSpec = findCommandSpec(argv[0]);
  if (!topSpec) return null;
  let spec = topSpec;
  if (topSpec.subcommands && argv.length > 1) {
    const subSpec = findSubcommandSpec(topSpec, argv[1]);
    if (!subSpec) return null;
    spec = subSpec;
  }
  return { spec, handler: null, subcommands: null, flags: spec.flagBits };
}
