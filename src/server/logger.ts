/**
 * Logging in Redis's format: "pid:M 24 Nov 2026 03:31:59.123 * message".
 */
import { appendFileSync } from 'node:fs';
import type { Config } from './config.js';

const LEVELS = ['debug', 'verbose', 'notice', 'warning'] as const;
export type LogLevel = (typeof LEVELS)[number];
const MARKS: Record<LogLevel, string> = { debug: '.', verbose: '-', notice: '*', warning: '#' };
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

export class Logger {
  /** Embedded servers are quiet unless asked. */
  silent = false;
  /** The role in each line's prefix: M master, S replica (as Redis's serverLogRaw). */
  roleMark = 'M';

  constructor(private readonly config: Config) {}

  log(level: LogLevel, message: string): void {
    if (this.silent) return;
    if (LEVELS.indexOf(level) < LEVELS.indexOf(this.config.get('loglevel') as LogLevel)) return;
    const d = new Date();
    const pad = (n: number, w = 2) => String(n).padStart(w, '0');
    const stamp = `${pad(d.getDate())} ${MONTHS[d.getMonth()]} ${d.getFullYear()} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
    const line = `${process.pid}:${this.roleMark} ${stamp} ${MARKS[level]} ${message}\n`;
    this.write(line);
  }

  /** Text written as it is, without the prefix (the start-up logo). */
  raw(text: string): void {
    if (!this.silent) this.write(text);
  }

  private write(text: string): void {
    const file = this.config.get('logfile');
    if (file) appendFileSync(file, text);
    else process.stdout.write(text);
  }

  notice(message: string): void {
    this.log('notice', message);
  }

  warning(message: string): void {
    this.log('warning', message);
  }

  verbose(message: string): void {
    this.log('verbose', message);
  }
}
