/**
 * Reading redis.conf-style configuration: a config file and/or command-line options
 * (`lunakv-server [file] [--name value ...]`), with redis-server's fatal error format.
 */
import { readFileSync } from 'node:fs';
import { splitInlineArgs } from '../protocol/resp-parser.js';
import { sdsRepr } from '../protocol/repr.js';
import { Config, ConfigError } from './config.js';

export class FatalConfigError extends Error {}

/** Parses argv (after the program name) into config text, as redis-server does. */
export function argvToConfigText(argv: string[]): { file: string | null; text: string } {
  let file: string | null = null;
  let i = 0;
  if (argv.length > 0 && !argv[0].startsWith('--')) {
    file = argv[0];
    i = 1;
  }
  const lines: string[] = [];
  let current: string[] | null = null;
  for (; i < argv.length; i++) {
    const a = argv[i];
    if (a.startsWith('--') && a.length > 2) {
      if (current) lines.push(current.join(' '));
      current = [a.slice(2)];
    } else if (current) {
      current.push(sdsRepr(a));
    } else {
      throw new FatalConfigError(`Invalid option '${a}'`);
    }
  }
  if (current) lines.push(current.join(' '));
  let text = file ? readFileSync(file, 'latin1') : '';
  if (lines.length) text += '\n' + lines.join('\n');
  return { file, text };
}

/**
 * Applies config text to `config`. Multiple `save` lines accumulate like redis-server.
 * Throws FatalConfigError with redis-server's fatal message.
 */
export function applyConfigText(config: Config, text: string): void {
  const lines = text.split('\n');
  let saves: string[] | null = null;
  for (let n = 0; n < lines.length; n++) {
    const raw = lines[n].trim();
    if (raw === '' || raw.startsWith('#')) continue;
    const fail = (msg: string) =>
      new FatalConfigError(
        `\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line ${n + 1}\n>>> '${raw}'\n${msg}`,
      );
    const args = splitInlineArgs(raw);
    if (args === null) throw fail('Unbalanced quotes in configuration line');
    if (args.length === 0) continue;
    const name = args[0].toLowerCase();
    if (!Config.has(name)) throw fail('Bad directive or wrong number of arguments');
    if (args.length < 2) throw fail('wrong number of arguments');
    const value = args.slice(1).join(' ');
    try {
      if (name === 'save') {
        // save lines accumulate; each is checked where it stands.
        if (saves === null) saves = [];
        if (value.trim() !== '') saves.push(value);
        config.setInitial('save', saves.join(' '));
      } else {
        config.setInitial(name, value);
      }
    } catch (e) {
      if (e instanceof ConfigError) throw fail(e.message);
      throw e;
    }
  }
}
