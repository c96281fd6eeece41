/** Hash, list, set, sorted set and stream commands (placeholder until they land). */
import type { Handler } from './registry.js';

export function registerDataTypeCommands(register: (group: Record<string, Handler>) => void): void {
  void register;
}
