/**
 * A node of the cluster as this node knows it (cluster.h's clusterNode), and the node
 * flags with their CLUSTER NODES names (representClusterNodeFlags).
 */
import { randomHex } from '../server/server.js';
import type { Link } from './bus.js';
import { SLOTS } from './bus-message.js';

export const NodeFlag = {
  MASTER: 1,
  SLAVE: 2,
  PFAIL: 4,
  FAIL: 8,
  MYSELF: 16,
  HANDSHAKE: 32,
  NOADDR: 64,
  MEET: 128,
  MIGRATE_TO: 256,
  NOFAILOVER: 512,
} as const;

/** redisNodeFlagsTable: the flags CLUSTER NODES shows, in its order. */
export const FLAG_NAMES: readonly [number, string][] = [
  [NodeFlag.MYSELF, 'myself'],
  [NodeFlag.MASTER, 'master'],
  [NodeFlag.SLAVE, 'slave'],
  [NodeFlag.PFAIL, 'fail?'],
  [NodeFlag.FAIL, 'fail'],
  [NodeFlag.HANDSHAKE, 'handshake'],
  [NodeFlag.NOADDR, 'noaddr'],
  [NodeFlag.NOFAILOVER, 'nofailover'],
];

export function flagsText(flags: number): string {
  const names = FLAG_NAMES.filter(([bit]) => (flags & bit) !== 0).map(([, name]) => name);
  return names.length === 0 ? 'noflags' : names.join(',');
}

/** getRandomHexChars: a new node id. */
export function randomNodeId(): string {
  return randomHex(40);
}

/** verifyClusterNodeId: 40 characters of [a-z0-9]. */
export function validNodeId(name: string): boolean {
  return name.length === 40 && /^[a-z0-9]{40}$/.test(name);
}

export function testBit(bitmap: Uint8Array, pos: number): boolean {
  return (bitmap[pos >> 3]! & (1 << (pos & 7))) !== 0;
}

export function setBit(bitmap: Uint8Array, pos: number): void {
  bitmap[pos >> 3]! |= 1 << (pos & 7);
}

export function clearBit(bitmap: Uint8Array, pos: number): void {
  bitmap[pos >> 3]! &= ~(1 << (pos & 7));
}

export interface FailReport {
  node: ClusterNode;
  /** When it was last reported (ms). */
  time: number;
}

export class ClusterNode {
  /** When this node was created here (ms): a handshake node lives for a node timeout. */
  readonly ctime = Date.now();
  configEpoch = 0;
  readonly slots = new Uint8Array(SLOTS / 8);
  numslots = 0;
  readonly slaves: ClusterNode[] = [];
  slaveof: ClusterNode | null = null;
  /** When the pending PING was sent (ms), 0 when none is pending. */
  pingSent = 0;
  pongReceived = 0;
  /** The last time anything was received from it (ms). */
  dataReceived = 0;
  failTime = 0;
  /** When this node last voted for a replica of this master (ms). */
  votedTime = 0;
  replOffsetTime = 0;
  orphanedTime = 0;
  replOffset = 0;
  ip = '';
  hostname = '';
  port = 0;
  pport = 0;
  cport = 0;
  /** Our connection to it, and its connection to us once it is known to be it. */
  link: Link<ClusterNode> | null = null;
  inboundLink: Link<ClusterNode> | null = null;
  readonly failReports: FailReport[] = [];
  /** The PING in which it was last gossiped about (clusterSendPing skips duplicates). */
  lastInPingGossip = 0;

  constructor(
    public name: string,
    public flags: number,
  ) {}

  get isMaster(): boolean {
    return (this.flags & NodeFlag.MASTER) !== 0;
  }

  get isSlave(): boolean {
    return (this.flags & NodeFlag.SLAVE) !== 0;
  }

  get inHandshake(): boolean {
    return (this.flags & NodeFlag.HANDSHAKE) !== 0;
  }

  get hasAddr(): boolean {
    return (this.flags & NodeFlag.NOADDR) === 0;
  }

  /** nodeTimedOut: PFAIL. */
  get timedOut(): boolean {
    return (this.flags & NodeFlag.PFAIL) !== 0;
  }

  get failed(): boolean {
    return (this.flags & NodeFlag.FAIL) !== 0;
  }

  /** clusterNodeSetSlotBit without the MIGRATE_TO rule (the state applies it). Returns the old bit. */
  setSlotBit(slot: number): boolean {
    const old = testBit(this.slots, slot);
    if (!old) {
      setBit(this.slots, slot);
      this.numslots++;
    }
    return old;
  }

  clearSlotBit(slot: number): boolean {
    const old = testBit(this.slots, slot);
    if (old) {
      clearBit(this.slots, slot);
      this.numslots--;
    }
    return old;
  }

  hasSlot(slot: number): boolean {
    return testBit(this.slots, slot);
  }

  addSlave(slave: ClusterNode): void {
    if (this.slaves.includes(slave)) return;
    this.slaves.push(slave);
    this.flags |= NodeFlag.MIGRATE_TO;
  }

  removeSlave(slave: ClusterNode): void {
    const i = this.slaves.indexOf(slave);
    if (i >= 0) this.slaves.splice(i, 1);
    if (this.slaves.length === 0) this.flags &= ~NodeFlag.MIGRATE_TO;
  }

  /** clusterCountNonFailingSlaves */
  nonFailingSlaves(): number {
    let n = 0;
    for (const s of this.slaves) if (!s.failed) n++;
    return n;
  }
}
