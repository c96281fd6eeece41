/**
 * Reply texts shared by command handlers: HELP listings, arity and subcommand errors, and
 * the CR/LF sanitizer for errors that quote user input. Handlers import them from here;
 * the texts themselves live in protocol/reply-texts.ts, where the dispatcher (which may
 * not import commands/) shares them.
 */
export {
  arityError,
  helpLines,
  sanitizeErrorText,
  sanitizedError,
  subcommandSyntaxError,
  unknownCommandError,
  unknownSubcommandError,
} from '../protocol/reply-texts.js';
