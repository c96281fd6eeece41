/**
 * The run context of a script (script.c): what one EVAL or FCALL may do and what it
 * did, the checks before it starts (scriptPrepareForRun), and the checks every
 * redis.call / redis.pcall passes before its command runs (scriptCall), written as a
 * checklist of small functions in Redis's order.
 *
 * Scripting does not import the dispatcher. The engine is given a CommandRunner when it
 * is created (by the commands layer, commands/script-runner.ts): it resolves and calls
 * commands, and answers the server-state questions with the predicates dispatch itself
 * uses, so a script and a client are refused for the same reasons.
 *
 * mustObeyClient (the master link, the AOF) skips the replica and cluster checks. In
 * cluster mode (server.cluster) a script flagged no-cluster does not start, and each
 * command's keys must be served here and, unless allow-cross-slot-keys (or no shebang),
 * hash to the script's slot: its declared keys', else the first key it touched.
 * Not modelled: writeCommandsDeniedByDiskError (no MISCONF in lunakv's dispatch either).
 */
import { CmdFlag, type CommandSpec } from '../commands/spec.js';
import { ErrorReply, Errors, type Reply } from '../protocol/reply.js';
import { aclStore, AclDenial, checkPermission } from '../server/acl.js';
import type { Client } from '../server/client.js';
import type { Server } from '../server/server.js';
import { ScriptFlag } from './metadata.js';

/** A command as the checks see it (the registry's CommandEntry is one). */
export interface RunnableCommand {
  readonly spec: CommandSpec;
  /** `spec.flagBits` */
  readonly flags: number;
  /** null: a command of Redis's table that lunakv has no handler for. */
  readonly handler: object | null;
}

/** What scripting needs from the dispatcher, for one server. */
export interface CommandRunner {
  /**
   * lookupCommand(argv, argc) as scripts see it: the command, or its subcommand when
   * argv names one; null when Redis's table does not know it.
   */
  lookup(argv: string[]): RunnableCommand | null;
  /** Redis's call(): runs a command `lookup` returned, with stats and propagation. */
  call(client: Client, command: RunnableCommand, argv: string[]): Reply;
  /** checkGoodReplicasStatus: min-replicas-to-write is off or met. */
  enoughGoodReplicas(): boolean;
  /** A replica with replica-read-only: writes are refused (READONLY). */
  replicaRefusesWrites(): boolean;
  /** A replica without its master that does not serve stale data (replica-serve-stale-data no). */
  staleReplica(): boolean;
}

/** What one script invocation may do, and what it did (scriptRunCtx). */
export interface RunContext {
  /** The function name in errors: the script's SHA1, or the function's name. */
  funcName: string;
  isEval: boolean;
  caller: Client;
  scriptClient: Client;
  /** The protocol the script asked for with redis.setresp (2 by default). */
  resp: 2 | 3;
  readOnly: boolean;
  allowOom: boolean;
  /** Over maxmemory when the script started (server.pre_command_oom_state). */
  preOom: boolean;
  /** allow-cross-slot-keys, or a script without shebang (SCRIPT_ALLOW_CROSS_SLOT). */
  allowCrossSlot: boolean;
  /** A write command ran: the script can no longer be killed, nor refused a write. */
  writeDirty: boolean;
  killed: boolean;
  startTime: number;
  /** argv of the EVAL/FCALL (FUNCTION STATS shows it). */
  argv: string[];
}

/** What the `redis` table reaches: the server, its runner, the script being run. */
export interface ScriptHost {
  readonly server: Server;
  readonly runner: CommandRunner;
  readonly current: RunContext | null;
  /** The debugging session of the script being run (SCRIPT DEBUG), null for a normal run. */
  readonly debugHooks: ScriptDebugHooks | null;
}

/**
 * What the `redis` table tells a debugging session (debugger.ts): redis.call logs the
 * commands and replies while the session steps (eval.c's ldbIsEnabled), redis.debug
 * and redis.breakpoint talk to it.
 */
export interface ScriptDebugHooks {
  /** ldbIsEnabled(): stepping, so redis.call logs what it runs. */
  readonly logging: boolean;
  /** ldbLog */
  log(entry: string): void;
  /** The "<redis> ..." entry of a command about to run. */
  logCommand(argv: string[]): void;
  /** The "<reply> ..." entry (the reply as the script's protocol encodes it). */
  logReply(reply: Reply, resp: 2 | 3): void;
  /** redis.breakpoint(): stop at the next line. */
  breakpoint(): void;
  /** redis.debug(...): a "<debug> line N: ..." entry. */
  debug(values: unknown[]): void;
}

/** scriptPrepareForRun, a script flagged no-cluster on a cluster node. */
const NO_CLUSTER_ERROR = "ERR Can not run script on cluster, 'no-cluster' flag is set.";
/** shared.noreplicaserr */
export const NO_REPLICAS_ERROR = 'NOREPLICAS Not enough good replicas to write.';
/** shared.roslaveerr */
const READONLY_REPLICA_ERROR = "READONLY You can't write against a read only replica.";
/** shared.masterdownerr */
const MASTERDOWN_ERROR = "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.";

// ---------------------------------------------------------------------------
// scriptPrepareForRun

/**
 * scriptPrepareForRun's checks for a script with `flags` (its shebang's or its
 * function's); `ro`: called as EVAL_RO / EVALSHA_RO / FCALL_RO. The error reply, or
 * null when the script may start.
 */
export function prepareForRun(server: Server, runner: CommandRunner, flags: number, ro: boolean, obey = false): ErrorReply | null {
  const runningStale = !obey && runner.staleReplica();
  // Scripts without a shebang keep Redis 6's behaviour: only the stale check.
  if (flags & ScriptFlag.EVAL_COMPAT) return runningStale ? new ErrorReply(MASTERDOWN_ERROR) : null;
  if (flags & ScriptFlag.NO_CLUSTER && server.cluster !== null) return new ErrorReply(NO_CLUSTER_ERROR);
  if (runningStale && !(flags & ScriptFlag.ALLOW_STALE)) {
    return new ErrorReply(
      "MASTERDOWN Link with MASTER is down, replica-serve-stale-data is set to 'no' and 'allow-stale' flag is not set on the script.",
    );
  }
  if (!(flags & ScriptFlag.NO_WRITES)) {
    if (!obey && runner.replicaRefusesWrites()) return new ErrorReply('READONLY Can not run script with write flag on readonly replica');
    if (ro) return new ErrorReply('ERR Can not execute a script with write flag using *_ro command.');
    if (!obey && !runner.enoughGoodReplicas()) return new ErrorReply(NO_REPLICAS_ERROR);
  }
  if (server.maxmemory > 0 && !(flags & (ScriptFlag.ALLOW_OOM | ScriptFlag.NO_WRITES)) && server.isOutOfMemory()) {
    return new ErrorReply("OOM allow-oom flag is not set on the script, can not run it when used memory > 'maxmemory'");
  }
  return null;
}

// ---------------------------------------------------------------------------
// scriptCall

/** Why scriptCall refused to run a command (the text becomes the script's `{err=...}`). */
export class Refusal {
  constructor(readonly message: string) {}
}

/**
 * One of scriptCall's checks on a redis.call on its way to `command`: the refusal text,
 * or null to go on. (Positional arguments: this runs for every redis.call, no object
 * is built for it.)
 */
type CallCheck = (host: ScriptHost, ctx: RunContext, command: RunnableCommand, argv: string[]) => string | null;

/** scriptVerifyCommandArity */
function verifyArity(_host: ScriptHost, _ctx: RunContext, command: RunnableCommand, argv: string[]): string | null {
  const arity = command.spec.arity;
  if ((arity > 0 && argv.length !== arity) || argv.length < -arity) return 'Wrong number of args calling Redis command from script';
  return null;
}

/** CMD_NOSCRIPT commands, unless DEBUG SET-DISABLE-DENY-SCRIPTS turned the check off. */
function verifyScriptAllowed(host: ScriptHost, _ctx: RunContext, command: RunnableCommand): string | null {
  if (command.flags & CmdFlag.NOSCRIPT && !host.server.scriptDenyDisabled) return 'This Redis command is not allowed from script';
  return null;
}

/**
 * lunakv's own: a command of Redis's table without a handler here (e.g. CLUSTER). It
 * comes after Redis's checks above, so scripts see the same refusals for those.
 */
function verifyImplemented(_host: ScriptHost, _ctx: RunContext, command: RunnableCommand): string | null {
  return command.handler === null ? 'Unknown Redis command called from script' : null;
}

/** scriptVerifyAllowStale */
function verifyAllowStale(host: ScriptHost, _ctx: RunContext, command: RunnableCommand): string | null {
  if (command.flags & CmdFlag.STALE || !host.runner.staleReplica()) return null;
  return 'Can not execute the command on a stale replica';
}

/** scriptVerifyACL: the script runs with its caller's permissions. */
function verifyAcl(host: ScriptHost, ctx: RunContext, command: RunnableCommand, argv: string[]): string | null {
  const denial = callerPermission(host, ctx, command, argv);
  if (denial === AclDenial.OK) return null;
  return denial === AclDenial.COMMAND
    ? "The user executing the script can't run this command or subcommand"
    : "The user executing the script can't access at least one of the keys mentioned in the command arguments";
}

/**
 * scriptVerifyWriteCommandAllow: no writes from a read-only script; then, until the
 * script has written (it cannot fail halfway on an unpredictable state), the
 * server-state checks dispatch makes for writes.
 */
function verifyWriteAllowed(host: ScriptHost, ctx: RunContext, command: RunnableCommand): string | null {
  if (ctx.readOnly && command.flags & (CmdFlag.WRITE | CmdFlag.MAY_REPLICATE)) {
    return 'Write commands are not allowed from read-only scripts.';
  }
  if (!(command.flags & CmdFlag.WRITE) || ctx.writeDirty) return null;
  const runner = host.runner;
  // mustObeyClient: the master link's scripts write whatever this replica's settings say.
  if (ctx.caller.mustObey) return null;
  if (runner.replicaRefusesWrites()) return '-' + READONLY_REPLICA_ERROR;
  // Reachable for EVAL scripts without flags: flagged ones were checked by prepareForRun.
  if (!runner.enoughGoodReplicas()) return '-' + NO_REPLICAS_ERROR;
  return null;
}

/** scriptVerifyOOM: over maxmemory when the script started, until it has written. */
function verifyOom(_host: ScriptHost, ctx: RunContext, command: RunnableCommand): string | null {
  if (ctx.allowOom || !ctx.preOom || ctx.writeDirty || !(command.flags & CmdFlag.DENYOOM)) return null;
  return '-' + Errors.oom.message;
}

/**
 * scriptVerifyClusterState: the command's keys are served here and, unless cross-slot
 * access is allowed, hash to the script's slot (taking it if it has none yet). Runs after
 * the write was recorded (SCRIPT_WRITE_DIRTY), as in Redis.
 */
function verifyClusterState(host: ScriptHost, ctx: RunContext, command: RunnableCommand, argv: string[]): string | null {
  const cluster = host.server.cluster;
  const caller = ctx.caller;
  if (cluster === null || caller.mustObey) return null;
  const access = cluster.scriptKeyAccess(caller, command, argv);
  if (access === 'down-ro') return 'Script attempted to execute a write command while the cluster is down and readonly';
  if (access === 'down') return 'Script attempted to execute a command while the cluster is down';
  if (access === 'not-local') return 'Script attempted to access a non local key in a cluster node';
  if (access.slot !== -1 && !ctx.allowCrossSlot) {
    if (caller.clusterSlot === -1) caller.clusterSlot = access.slot;
    else if (caller.clusterSlot !== access.slot) return 'Script attempted to access keys that do not hash to the same slot';
  }
  return null;
}

/** scriptCall's checks, in Redis's order. */
export const SCRIPT_CALL_CHECKS: readonly CallCheck[] = [
  verifyArity,
  verifyScriptAllowed,
  verifyImplemented,
  verifyAllowStale,
  verifyAcl,
  verifyWriteAllowed,
  verifyOom,
];

/**
 * scriptCall: resolves argv, runs the checks, then the command on the script's client
 * (fed to MONITOR first). The command's reply, or why it was refused.
 */
export function scriptCall(host: ScriptHost, ctx: RunContext, argv: string[]): Reply | Refusal {
  const command = host.runner.lookup(argv);
  if (!command) return new Refusal('Unknown Redis command called from script');
  const server = host.server;
  for (let i = 0; i < SCRIPT_CALL_CHECKS.length; i++) {
    const refusal = SCRIPT_CALL_CHECKS[i]!(host, ctx, command, argv);
    if (refusal !== null) return refuse(server, command, refusal);
  }
  if (command.flags & CmdFlag.WRITE) ctx.writeDirty = true;
  const clusterRefusal = verifyClusterState(host, ctx, command, argv);
  if (clusterRefusal !== null) return refuse(server, command, clusterRefusal);
  const client = ctx.scriptClient;
  if (server.monitors.size !== 0) server.feedMonitors(client, argv);
  return host.runner.call(client, command, argv);
}

function refuse(server: Server, command: RunnableCommand, text: string): Refusal {
  server.stats.command(command.spec.fullName).rejectedCalls++;
  return new Refusal(text);
}

/** ACLCheckAllPerm for the script's caller (redis.call and redis.acl_check_cmd). */
export function callerPermission(host: ScriptHost, ctx: RunContext, command: RunnableCommand, argv: string[]): AclDenial {
  return checkPermission(ctx.caller.user ?? aclStore(host.server).defaultUser, command.spec, argv);
}
