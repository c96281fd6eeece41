/**
 * Reply shapes shared by command groups: HELP listings and subcommand syntax errors.
 */
import { ErrorReply, type Reply, SimpleReply } from '../protocol/reply.js';

/** addReplyHelp: the header, the lines, and the HELP entry, as status replies. */
export function helpLines(command: string, lines: string[]): Reply {
  const out: Reply[] = [new SimpleReply(`${command} <subcommand> [<arg> [value] [opt] ...]. Subcommands are:`)];
  for (const l of lines) out.push(new SimpleReply(l));
  out.push(new SimpleReply('HELP'), new SimpleReply('    Prints this help.'));
  return out;
}

/** addReplySubcommandSyntaxError. */
export function subcommandSyntaxError(args: string[]): ErrorReply {
  const sub = args[1].slice(0, 128);
  return new ErrorReply(`ERR unknown subcommand or wrong number of arguments for '${sub}'. Try ${args[0].toUpperCase()} HELP.`.replace(/[\r\n]/g, ' '));
}
