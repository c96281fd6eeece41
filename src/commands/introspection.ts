/** COMMAND and its subcommands, answered from the declarative command table. */
import { commandIntrospectionHandlers } from './table/introspection.js';
import type { Handler } from './registry.js';

export const introspectionCommands: Record<string, Handler> = commandIntrospectionHandlers;
