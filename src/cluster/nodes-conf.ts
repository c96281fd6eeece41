/**
 * The node table as text: CLUSTER NODES' lines (clusterGenNodeDescription) and the
 * cluster config file, nodes.conf, which is those lines plus a "vars" line
 * (clusterSaveConfig / clusterLoadConfig).
 *
 *   <id> <ip>:<port>@<cport>[,<hostname>] <flags> <master-id|-> <ping-sent> <pong-recv>
 *        <config-epoch> <connected|disconnected> <slot|start-end>... [<slot>->-<id>]...
 *   vars currentEpoch <n> lastVoteEpoch <n>
 *
 * Only myself's line lists open slots: "[slot->-id]" migrating, "[slot-<-id]" importing.
 * A file that does not parse is refused whole: Redis exits with "Unrecoverable error:
 * corrupted cluster config file." (an unknown flag panics instead).
 */
import fs from 'node:fs';
import path from 'node:path';
import { ClusterNode, flagsText, NodeFlag, validNodeId } from './node.js';
import { SLOTS } from './bus-message.js';

export const CORRUPTED = 'Unrecoverable error: corrupted cluster config file.';
export const UNKNOWN_FLAG = 'Unknown flag in redis cluster config file';

/** Slot ranges [start, end] per owner, from the slot table (clusterGenNodesSlotsInfo). */
export function slotRangesByNode(owners: readonly (ClusterNode | null)[]): Map<ClusterNode, [number, number][]> {
  const out = new Map<ClusterNode, [number, number][]>();
  let start = 0;
  for (let i = 1; i <= SLOTS; i++) {
    const n = owners[start] ?? null;
    if (i < SLOTS && owners[i] === n) continue;
    if (n !== null) {
      let list = out.get(n);
      if (list === undefined) out.set(n, (list = []));
      list.push([start, i - 1]);
    }
    start = i;
  }
  return out;
}

export function rangesText(ranges: readonly [number, number][] | undefined): string {
  let s = '';
  for (const [a, b] of ranges ?? []) s += a === b ? ` ${a}` : ` ${a}-${b}`;
  return s;
}

/** clusterGenNodeDescription: one line, without the newline. */
export function describeNode(node: ClusterNode, ranges: readonly [number, number][] | undefined, openSlots = ''): string {
  const addr = node.hostname !== '' ? `${node.ip}:${node.port}@${node.cport},${node.hostname}` : `${node.ip}:${node.port}@${node.cport}`;
  const master = node.slaveof !== null ? node.slaveof.name : '-';
  const epoch = node.isSlave && node.slaveof !== null ? node.slaveof.configEpoch : node.configEpoch;
  const linked = node.link !== null || node.flags & NodeFlag.MYSELF ? 'connected' : 'disconnected';
  return `${node.name} ${addr} ${flagsText(node.flags)} ${master} ${node.pingSent} ${node.pongReceived} ${epoch} ${linked}${rangesText(ranges)}${openSlots}`;
}

/** A node line of nodes.conf, parsed. */
export interface ConfNode {
  name: string;
  ip: string;
  port: number;
  cport: number;
  hostname: string;
  flags: number;
  master: string | null;
  pingSent: boolean;
  pongReceived: boolean;
  configEpoch: number;
  slots: [number, number][];
  migrating: [number, string][];
  importing: [number, string][];
}

export interface NodesConf {
  nodes: ConfNode[];
  currentEpoch: number;
  lastVoteEpoch: number;
  /** Warnings Redis logs while loading (unknown vars). */
  warnings: string[];
}

const FLAG_BY_NAME: Record<string, number> = {
  myself: NodeFlag.MYSELF,
  master: NodeFlag.MASTER,
  slave: NodeFlag.SLAVE,
  'fail?': NodeFlag.PFAIL,
  fail: NodeFlag.FAIL,
  handshake: NodeFlag.HANDSHAKE,
  noaddr: NodeFlag.NOADDR,
  nofailover: NodeFlag.NOFAILOVER,
  noflags: 0,
};

/** atoi: leading digits (with a sign), 0 when there are none. */
function atoi(s: string): number {
  const m = /^\s*([+-]?\d+)/.exec(s);
  return m ? Number(m[1]) : 0;
}

/** strtoull(s, NULL, 10) for the epochs. */
function strtoull(s: string): number {
  const m = /^\s*\+?(\d+)/.exec(s);
  return m ? Number(m[1]) : 0;
}

/** Parses a nodes.conf; an error string is the message Redis exits with. */
export function parseNodesConf(text: string): NodesConf | { error: string } {
  const conf: NodesConf = { nodes: [], currentEpoch: 0, lastVoteEpoch: 0, warnings: [] };
  let myself = false;
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const argv = line.split(/[ \t\r]+/).filter((a) => a !== '');
    if (argv.length === 0) continue;
    if (argv[0]!.toLowerCase() === 'vars') {
      if (argv.length % 2 === 0) return { error: CORRUPTED };
      for (let j = 1; j < argv.length; j += 2) {
        const name = argv[j]!.toLowerCase();
        if (name === 'currentepoch') conf.currentEpoch = strtoull(argv[j + 1]!);
        else if (name === 'lastvoteepoch') conf.lastVoteEpoch = strtoull(argv[j + 1]!);
        else conf.warnings.push(`Skipping unknown cluster config variable '${argv[j]}'`);
      }
      continue;
    }
    if (argv.length < 8 || !validNodeId(argv[0]!)) return { error: CORRUPTED };
    let address = argv[1]!;
    let hostname = '';
    const comma = address.indexOf(',');
    if (comma !== -1) {
      hostname = address.slice(comma + 1);
      address = address.slice(0, comma);
    }
    const colon = address.lastIndexOf(':');
    if (colon === -1) return { error: CORRUPTED };
    const ip = address.slice(0, colon);
    const portPart = address.slice(colon + 1);
    const at = portPart.indexOf('@');
    const port = atoi(at === -1 ? portPart : portPart.slice(0, at));
    const cport = at === -1 ? port + 10000 : atoi(portPart.slice(at + 1));
    let flags = 0;
    for (const f of argv[2]!.split(',')) {
      const bit = FLAG_BY_NAME[f.toLowerCase()];
      if (bit === undefined) return { error: UNKNOWN_FLAG };
      if (bit === NodeFlag.MYSELF) {
        if (myself) return { error: CORRUPTED };
        myself = true;
      }
      flags |= bit;
    }
    let master: string | null = null;
    if (!argv[3]!.startsWith('-')) {
      if (!validNodeId(argv[3]!)) return { error: CORRUPTED };
      master = argv[3]!;
    }
    const node: ConfNode = {
      name: argv[0]!,
      ip,
      port,
      cport,
      hostname,
      flags,
      master,
      pingSent: atoi(argv[4]!) !== 0,
      pongReceived: atoi(argv[5]!) !== 0,
      configEpoch: strtoull(argv[6]!),
      slots: [],
      migrating: [],
      importing: [],
    };
    for (let j = 8; j < argv.length; j++) {
      const arg = argv[j]!;
      if (arg.startsWith('[')) {
        const m = /^\[(-?\d+)-([<>])-([^\]]*)\]/.exec(arg);
        if (m === null) return { error: CORRUPTED };
        const slot = Number(m[1]);
        if (slot < 0 || slot >= SLOTS || !validNodeId(m[3]!)) return { error: CORRUPTED };
        (m[2] === '>' ? node.migrating : node.importing).push([slot, m[3]!]);
        continue;
      }
      const dash = arg.indexOf('-');
      const start = atoi(dash === -1 ? arg : arg.slice(0, dash));
      const stop = dash === -1 ? start : atoi(arg.slice(dash + 1));
      if (start < 0 || start >= SLOTS || stop < 0 || stop >= SLOTS) return { error: CORRUPTED };
      if (start <= stop) node.slots.push([start, stop]);
    }
    conf.nodes.push(node);
  }
  if (!myself) return { error: CORRUPTED };
  return conf;
}

/**
 * Reads the config file: null when it does not exist or is empty (a new node), the
 * parsed file, or the error that must stop the server.
 */
export function readNodesConf(file: string): NodesConf | null | { error: string } {
  let text: string;
  try {
    text = fs.readFileSync(file, 'latin1');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    return { error: `Loading the cluster node config from ${file}: ${(e as Error).message}` };
  }
  if (text.length === 0) return null;
  return parseNodesConf(text);
}

/**
 * Writes the file atomically: a temporary file beside it, fsynced, then renamed over
 * it, so that a crash leaves either the old file or the new one.
 */
export function writeNodesConf(file: string, text: string, fsync: boolean): void {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.tmp-${process.pid}`);
  const fd = fs.openSync(tmp, 'w', 0o644);
  try {
    fs.writeSync(fd, text, null, 'latin1');
    if (fsync) fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
}
