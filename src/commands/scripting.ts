/** EVAL and FUNCTION commands (placeholder until they land). */
import type { Handler } from './registry.js';

export function registerScriptingCommands(register: (group: Record<string, Handler>) => void): void {
  void register;
}
