/**
 * The reply texts Redis 7.0 builds in one place for every command, kept here in one
 * place too. This module sits in the protocol layer so that the dispatcher (server/) and
 * the command table (commands/table/) can use it; command handlers reach it through
 * commands/replies.ts.
 *
 *   text                                                             Redis 7.0
 *   ---------------------------------------------------------------  ---------------------------------
 *   ERR unknown command '<name>', with args beginning with: '<a>' ..  commandCheckExistence (server.c)
 *   ERR unknown subcommand '<sub>'. Try <CMD> HELP.                  commandCheckExistence (server.c)
 *   ERR wrong number of arguments for '<fullname>' command            commandCheckArity, addReplyErrorArity
 *   ERR unknown subcommand or wrong number of arguments for '<sub>'.  addReplySubcommandSyntaxError
 *       Try <CMD> HELP.
 *   <CMD> <subcommand> [<arg> [value] [opt] ...]. Subcommands are:    addReplyHelp (header)
 *   HELP / "    Prints this help."                                    addReplyHelp (footer)
 *
 * User text is cut at 128 bytes where Redis prints it with "%.128s", and an error never
 * holds CR or LF: Redis maps each to a space (sdsmapchars) so the reply stays one line.
 */
import { ErrorReply, type Reply, SimpleReply } from './reply.js';

/** A message with each CR and LF replaced by a space, as sdsmapchars(s, "\r\n", "  ", 2). */
export function sanitizeErrorText(message: string): string {
  return message.indexOf('\r') < 0 && message.indexOf('\n') < 0 ? message : message.replace(/[\r\n]/g, ' ');
}

/** An error reply whose text may hold user input: CR and LF become spaces. */
export function sanitizedError(message: string): ErrorReply {
  return new ErrorReply(sanitizeErrorText(message));
}

/** commandCheckArity / addReplyErrorArity; `fullName` is the spec's ("get", "config|get"). */
export function arityError(fullName: string): ErrorReply {
  return new ErrorReply(`ERR wrong number of arguments for '${fullName}' command`);
}

/** commandCheckExistence, unknown command: the name and up to 128 bytes of quoted arguments. */
export function unknownCommandError(args: string[]): ErrorReply {
  let rest = '';
  for (let i = 1; i < args.length && rest.length < 128; i++) {
    rest += `'${args[i].slice(0, 128 - rest.length)}' `;
  }
  return sanitizedError(`ERR unknown command '${args[0].slice(0, 128)}', with args beginning with: ${rest}`);
}

/** commandCheckExistence, unknown subcommand of a container command. */
export function unknownSubcommandError(args: string[]): ErrorReply {
  return sanitizedError(`ERR unknown subcommand '${args[1].slice(0, 128)}'. Try ${args[0].toUpperCase()} HELP.`);
}

/** addReplySubcommandSyntaxError: a subcommand's handler refusing its arguments. */
export function subcommandSyntaxError(args: string[]): ErrorReply {
  return sanitizedError(`ERR unknown subcommand or wrong number of arguments for '${args[1].slice(0, 128)}'. Try ${args[0].toUpperCase()} HELP.`);
}

/** addReplyHelp: the header, the lines, and the HELP entry, as status replies. */
export function helpLines(command: string, lines: readonly string[]): Reply {
  const out: Reply[] = [new SimpleReply(`${command} <subcommand> [<arg> [value] [opt] ...]. Subcommands are:`)];
  for (const l of lines) out.push(new SimpleReply(l));
  out.push(new SimpleReply('HELP'), new SimpleReply('    Prints this help.'));
  return out;
}
