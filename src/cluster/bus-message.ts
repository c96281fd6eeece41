/**
 * The cluster bus message, Redis 7.0's `clusterMsg` (cluster.h), encoded and decoded.
 * All integers are big-endian (network order); strings are NUL-padded byte fields.
 *
 *   offset size  field
 *        0    4  sig            "RCmb"
 *        4    4  totlen         the whole message, header included
 *        8    2  ver            1 (CLUSTER_PROTO_VER)
 *       10    2  port           the sender's client port
 *       12    2  type           PING 0, PONG 1, MEET 2, FAIL 3, PUBLISH 4, FAILOVER_AUTH_REQUEST 5,
 *                               FAILOVER_AUTH_ACK 6, UPDATE 7, MFSTART 8, MODULE 9, PUBLISHSHARD 10
 *       14    2  count          PING/PONG/MEET: the number of gossip entries
 *       16    8  currentEpoch
 *       24    8  configEpoch    the sender's, or its master's when it is a replica
 *       32    8  offset         replication offset
 *       40   40  sender         node id (40 hex chars)
 *       80 2048  myslots        slot bitmap (bit j of byte j/8 is slot j... bit (slot & 7))
 *     2128   40  slaveof        the master's id, all NUL for a master
 *     2168   46  myip           announced ip, NUL-terminated (all NUL: use the socket's)
 *     2214    2  extensions     number of ping extensions
 *     2216   30  notused1
 *     2246    2  pport          plaintext port (TLS clusters)
 *     2248    2  cport          the sender's bus port
 *     2250    2  flags          the sender's node flags
 *     2252    1  state          0 ok, 1 fail (the sender's view)
 *     2253    3  mflags         mflags[0]: PAUSED 1, FORCEACK 2, EXT_DATA 4
 *     2256       data, by type:
 *       PING/PONG/MEET  count x gossip (104 bytes each), then `extensions` ping extensions
 *                       when mflags[0] has EXT_DATA
 *         gossip: nodename 40, ping_sent u32 (s), pong_received u32 (s), ip 46, port u16,
 *                 cport u16, flags u16, pport u16, notused u16
 *         extension: length u32 (header included, a multiple of 8), type u16, unused u16,
 *                 payload; type 0 HOSTNAME is a NUL-terminated string padded to 8 bytes
 *                 (7.0 has only this one: FORGOTTEN_NODE and SHARDID are 7.2's)
 *       FAIL            nodename 40
 *       PUBLISH(SHARD)  channel_len u32, message_len u32, channel, message
 *       UPDATE          configEpoch u64, nodename 40, slots 2048
 *       MODULE          module_id u64, len u32, type u8, payload (len bytes)
 *       FAILOVER_AUTH_REQUEST, FAILOVER_AUTH_ACK, MFSTART: no data
 *
 * Length rules, as clusterProcessPacket and clusterReadHandler check them: a message is at
 * least the 2256-byte header; its totlen must equal the length its type implies; unknown
 * types are accepted as they are (ignored later). decodeMessage returns a typed result:
 * malformed input is an error to log, never an exception.
 */

export const SIGNATURE = 'RCmb';
export const PROTO_VER = 1;
export const SLOTS = 16384;
export const NAMELEN = 40;
export const IPLEN = 46;
/** sizeof(clusterMsg) - sizeof(union clusterMsgData). */
export const HEADER_LEN = 2256;
export const GOSSIP_LEN = 104;
const FAIL_LEN = NAMELEN;
const UPDATE_LEN = 8 + NAMELEN + SLOTS / 8;
/** The largest message this node reads: a PUBLISH of a big payload, with room to spare. */
export const MAX_MESSAGE_LEN = 512 * 1024 * 1024 + 64 * 1024;

export const MsgType = {
  PING: 0,
  PONG: 1,
  MEET: 2,
  FAIL: 3,
  PUBLISH: 4,
  FAILOVER_AUTH_REQUEST: 5,
  FAILOVER_AUTH_ACK: 6,
  UPDATE: 7,
  MFSTART: 8,
  MODULE: 9,
  PUBLISHSHARD: 10,
} as const;
/** CLUSTERMSG_TYPE_COUNT */
export const MSG_TYPE_COUNT = 11;

/** clusterGetMessageTypeString: the names CLUSTER INFO's stats use. */
export const MSG_TYPE_NAMES = ['ping', 'pong', 'meet', 'fail', 'publish', 'auth-req', 'auth-ack', 'update', 'mfstart', 'module', 'publishshard'];

export function messageTypeName(type: number): string {
  return MSG_TYPE_NAMES[type] ?? 'unknown';
}

export const MsgFlag0 = { PAUSED: 1, FORCEACK: 2, EXT_DATA: 4 } as const;
export const EXT_TYPE_HOSTNAME = 0;

/** One entry of a gossip section (clusterMsgDataGossip). */
export interface GossipEntry {
  nodename: string;
  /** Seconds (ping_sent / 1000), as sent. */
  pingSent: number;
  pongReceived: number;
  ip: string;
  port: number;
  cport: number;
  flags: number;
  pport: number;
}

/** A ping extension: the hostname, or one of a type this version does not know. */
export type PingExtension = { type: typeof EXT_TYPE_HOSTNAME; hostname: string } | { type: number; data: Buffer };

/** The header fields every message has. */
export interface MessageHeader {
  type: number;
  port: number;
  currentEpoch: number;
  configEpoch: number;
  offset: number;
  sender: string;
  /** 2048 bytes. */
  myslots: Uint8Array;
  /** null for a master (all NUL on the wire). */
  slaveof: string | null;
  /** '' when not announced. */
  myip: string;
  pport: number;
  cport: number;
  flags: number;
  state: number;
  mflags: [number, number, number];
}

export interface PingData {
  gossip: GossipEntry[];
  extensions: PingExtension[];
}

/** The per-type payload; `type` in the header says which field is set. */
export interface BusMessage extends MessageHeader {
  ping?: PingData;
  /** FAIL: the failing node's id. */
  failing?: string;
  /** PUBLISH / PUBLISHSHARD. */
  publish?: { channel: Buffer; message: Buffer };
  /** UPDATE: the configuration of a node the sender knows to be newer. */
  update?: { configEpoch: number; nodename: string; slots: Uint8Array };
  module?: { moduleId: bigint; moduleType: number; payload: Buffer };
  /** The data of a message of a type this version does not know. */
  unknownData?: Buffer;
}

export type DecodeResult = { ok: true; message: BusMessage } | { ok: false; error: string };

const NO_NAME = Buffer.alloc(NAMELEN);

/** A NUL-terminated string inside a fixed field. */
function cString(buf: Buffer, start: number, len: number): string {
  const end = buf.indexOf(0, start);
  return buf.toString('latin1', start, end === -1 || end > start + len ? start + len : end);
}

function u64(buf: Buffer, at: number): number {
  return Number(buf.readBigUInt64BE(at));
}

/**
 * The checks clusterReadHandler makes on the first 8 bytes of a message: the signature
 * and a length of at least the header. null when they hold, else the error.
 */
export function checkFrameStart(first8: Buffer): string | null {
  if (first8.toString('latin1', 0, 4) !== SIGNATURE) return 'Bad message length or signature received from Cluster bus.';
  const totlen = first8.readUInt32BE(4);
  if (totlen < HEADER_LEN) return 'Bad message length or signature received from Cluster bus.';
  if (totlen > MAX_MESSAGE_LEN) return `Cluster bus message too long (${totlen} bytes) received from Cluster bus.`;
  return null;
}

/** Decodes one whole message (`buf` is exactly totlen bytes, as the framing delivers it). */
export function decodeMessage(buf: Buffer): DecodeResult {
  if (buf.length < 8) return { ok: false, error: `truncated message (${buf.length} bytes)` };
  const frame = checkFrameStart(buf);
  if (frame !== null) return { ok: false, error: frame };
  const totlen = buf.readUInt32BE(4);
  if (totlen !== buf.length) return { ok: false, error: `message of ${buf.length} bytes says its length is ${totlen}` };
  const ver = buf.readUInt16BE(8);
  if (ver !== PROTO_VER) return { ok: false, error: `unsupported protocol version ${ver}` };
  const type = buf.readUInt16BE(12);
  const count = buf.readUInt16BE(14);
  const mflags: [number, number, number] = [buf[2253]!, buf[2254]!, buf[2255]!];
  const slaveofRaw = buf.subarray(2128, 2128 + NAMELEN);
  const header: BusMessage = {
    type,
    port: buf.readUInt16BE(10),
    currentEpoch: u64(buf, 16),
    configEpoch: u64(buf, 24),
    offset: u64(buf, 32),
    sender: buf.toString('latin1', 40, 80),
    myslots: new Uint8Array(buf.subarray(80, 80 + SLOTS / 8)),
    slaveof: slaveofRaw.equals(NO_NAME) ? null : slaveofRaw.toString('latin1'),
    myip: cString(buf, 2168, IPLEN),
    pport: buf.readUInt16BE(2246),
    cport: buf.readUInt16BE(2248),
    flags: buf.readUInt16BE(2250),
    state: buf[2252]!,
    mflags,
  };
  const typeName = messageTypeName(type);
  const lengthError = (expected: number) => ({
    ok: false as const,
    error: `Received invalid ${typeName} packet of length ${totlen} but expected length ${expected}`,
  });

  switch (type) {
    case MsgType.PING:
    case MsgType.PONG:
    case MsgType.MEET: {
      let explen = HEADER_LEN + GOSSIP_LEN * count;
      if (explen > totlen) return lengthError(explen);
      const gossip: GossipEntry[] = [];
      for (let i = 0; i < count; i++) {
        const at = HEADER_LEN + i * GOSSIP_LEN;
        gossip.push({
          nodename: buf.toString('latin1', at, at + NAMELEN),
          pingSent: buf.readUInt32BE(at + 40),
          pongReceived: buf.readUInt32BE(at + 44),
          ip: cString(buf, at + 48, IPLEN),
          port: buf.readUInt16BE(at + 94),
          cport: buf.readUInt16BE(at + 96),
          flags: buf.readUInt16BE(at + 98),
          pport: buf.readUInt16BE(at + 100),
        });
      }
      const extensions: PingExtension[] = [];
      if (mflags[0] & MsgFlag0.EXT_DATA) {
        let n = buf.readUInt16BE(2214);
        while (n-- > 0) {
          if (totlen - explen < 8) return { ok: false, error: `Received invalid ${typeName} packet with extension data that exceeds total packet length (${totlen})` };
          const extlen = buf.readUInt32BE(explen);
          if (extlen % 8 !== 0 || extlen < 8) return { ok: false, error: `Received a ${typeName} packet without proper padding (${extlen} bytes)` };
          if (totlen - explen < extlen) return { ok: false, error: `Received invalid ${typeName} packet with extension data that exceeds total packet length (${totlen})` };
          const extType = buf.readUInt16BE(explen + 4);
          if (extType === EXT_TYPE_HOSTNAME) extensions.push({ type: EXT_TYPE_HOSTNAME, hostname: cString(buf, explen + 8, extlen - 8) });
          else extensions.push({ type: extType, data: Buffer.from(buf.subarray(explen + 8, explen + extlen)) });
          explen += extlen;
        }
      }
      if (explen !== totlen) return lengthError(explen);
      header.ping = { gossip, extensions };
      break;
    }
    case MsgType.FAIL:
      if (totlen !== HEADER_LEN + FAIL_LEN) return lengthError(HEADER_LEN + FAIL_LEN);
      header.failing = buf.toString('latin1', HEADER_LEN, HEADER_LEN + NAMELEN);
      break;
    case MsgType.PUBLISH:
    case MsgType.PUBLISHSHARD: {
      if (totlen < HEADER_LEN + 8) return lengthError(HEADER_LEN + 8);
      const channelLen = buf.readUInt32BE(HEADER_LEN);
      const messageLen = buf.readUInt32BE(HEADER_LEN + 4);
      const explen = HEADER_LEN + 8 + channelLen + messageLen;
      if (explen !== totlen) return lengthError(explen);
      const start = HEADER_LEN + 8;
      header.publish = {
        channel: Buffer.from(buf.subarray(start, start + channelLen)),
        message: Buffer.from(buf.subarray(start + channelLen, explen)),
      };
      break;
    }
    case MsgType.FAILOVER_AUTH_REQUEST:
    case MsgType.FAILOVER_AUTH_ACK:
    case MsgType.MFSTART:
      if (totlen !== HEADER_LEN) return lengthError(HEADER_LEN);
      break;
    case MsgType.UPDATE:
      if (totlen !== HEADER_LEN + UPDATE_LEN) return lengthError(HEADER_LEN + UPDATE_LEN);
      header.update = {
        configEpoch: u64(buf, HEADER_LEN),
        nodename: buf.toString('latin1', HEADER_LEN + 8, HEADER_LEN + 8 + NAMELEN),
        slots: new Uint8Array(buf.subarray(HEADER_LEN + 8 + NAMELEN, HEADER_LEN + UPDATE_LEN)),
      };
      break;
    case MsgType.MODULE: {
      if (totlen < HEADER_LEN + 13) return lengthError(HEADER_LEN + 13);
      const len = buf.readUInt32BE(HEADER_LEN + 8);
      const explen = HEADER_LEN + 13 + len;
      if (explen !== totlen) return lengthError(explen);
      header.module = {
        moduleId: buf.readBigUInt64LE(HEADER_LEN),
        moduleType: buf[HEADER_LEN + 12]!,
        payload: Buffer.from(buf.subarray(HEADER_LEN + 13, explen)),
      };
      break;
    }
    default:
      // "We don't know this type of packet, so we assume it's well formed."
      header.unknownData = Buffer.from(buf.subarray(HEADER_LEN));
  }
  return { ok: true, message: header };
}

function writeName(buf: Buffer, at: number, name: string | null): void {
  if (name !== null) buf.write(name.slice(0, NAMELEN), at, 'latin1');
}

function writeU64(buf: Buffer, at: number, v: number): void {
  buf.writeBigUInt64BE(BigInt(Math.max(0, Math.floor(v))), at);
}

function extensionsLength(exts: readonly PingExtension[]): number {
  let n = 0;
  for (const e of exts) n += extensionLength(e);
  return n;
}

function extensionLength(e: PingExtension): number {
  const payload = 'hostname' in e ? e.hostname.length + 1 : e.data.length;
  return 8 + Math.ceil(payload / 8) * 8;
}

/** Encodes a message; totlen, count and the EXT_DATA flag follow from its data. */
export function encodeMessage(m: BusMessage): Buffer {
  let dataLen = 0;
  switch (m.type) {
    case MsgType.PING:
    case MsgType.PONG:
    case MsgType.MEET:
      dataLen = GOSSIP_LEN * (m.ping?.gossip.length ?? 0) + extensionsLength(m.ping?.extensions ?? []);
      break;
    case MsgType.FAIL:
      dataLen = FAIL_LEN;
      break;
    case MsgType.PUBLISH:
    case MsgType.PUBLISHSHARD:
      dataLen = 8 + (m.publish?.channel.length ?? 0) + (m.publish?.message.length ?? 0);
      break;
    case MsgType.UPDATE:
      dataLen = UPDATE_LEN;
      break;
    case MsgType.MODULE:
      dataLen = 13 + (m.module?.payload.length ?? 0);
      break;
    default:
      dataLen = m.unknownData?.length ?? 0;
  }
  const totlen = HEADER_LEN + dataLen;
  const buf = Buffer.alloc(totlen);
  buf.write(SIGNATURE, 0, 'latin1');
  buf.writeUInt32BE(totlen, 4);
  buf.writeUInt16BE(PROTO_VER, 8);
  buf.writeUInt16BE(m.port & 0xffff, 10);
  buf.writeUInt16BE(m.type, 12);
  writeU64(buf, 16, m.currentEpoch);
  writeU64(buf, 24, m.configEpoch);
  writeU64(buf, 32, m.offset);
  writeName(buf, 40, m.sender);
  buf.set(m.myslots.subarray(0, SLOTS / 8), 80);
  writeName(buf, 2128, m.slaveof);
  if (m.myip !== '') buf.write(m.myip.slice(0, IPLEN - 1), 2168, 'latin1');
  buf.writeUInt16BE(m.pport & 0xffff, 2246);
  buf.writeUInt16BE(m.cport & 0xffff, 2248);
  buf.writeUInt16BE(m.flags & 0xffff, 2250);
  buf[2252] = m.state;
  buf[2253] = m.mflags[0];
  buf[2254] = m.mflags[1];
  buf[2255] = m.mflags[2];
  let at = HEADER_LEN;
  if (m.ping !== undefined && (m.type === MsgType.PING || m.type === MsgType.PONG || m.type === MsgType.MEET)) {
    buf.writeUInt16BE(m.ping.gossip.length, 14);
    for (const g of m.ping.gossip) {
      writeName(buf, at, g.nodename);
      buf.writeUInt32BE(g.pingSent >>> 0, at + 40);
      buf.writeUInt32BE(g.pongReceived >>> 0, at + 44);
      buf.write(g.ip.slice(0, IPLEN - 1), at + 48, 'latin1');
      buf.writeUInt16BE(g.port & 0xffff, at + 94);
      buf.writeUInt16BE(g.cport & 0xffff, at + 96);
      buf.writeUInt16BE(g.flags & 0xffff, at + 98);
      buf.writeUInt16BE(g.pport & 0xffff, at + 100);
      at += GOSSIP_LEN;
    }
    const exts = m.ping.extensions;
    buf.writeUInt16BE(exts.length, 2214);
    if (exts.length > 0) buf[2253] |= MsgFlag0.EXT_DATA;
    for (const e of exts) {
      const len = extensionLength(e);
      buf.writeUInt32BE(len, at);
      buf.writeUInt16BE(e.type, at + 4);
      if ('hostname' in e) buf.write(e.hostname, at + 8, 'latin1');
      else e.data.copy(buf, at + 8);
      at += len;
    }
  } else if (m.type === MsgType.FAIL) {
    writeName(buf, at, m.failing ?? null);
  } else if (m.publish !== undefined && (m.type === MsgType.PUBLISH || m.type === MsgType.PUBLISHSHARD)) {
    buf.writeUInt32BE(m.publish.channel.length, at);
    buf.writeUInt32BE(m.publish.message.length, at + 4);
    m.publish.channel.copy(buf, at + 8);
    m.publish.message.copy(buf, at + 8 + m.publish.channel.length);
  } else if (m.update !== undefined && m.type === MsgType.UPDATE) {
    writeU64(buf, at, m.update.configEpoch);
    writeName(buf, at + 8, m.update.nodename);
    buf.set(m.update.slots.subarray(0, SLOTS / 8), at + 8 + NAMELEN);
  } else if (m.module !== undefined && m.type === MsgType.MODULE) {
    buf.writeBigUInt64LE(m.module.moduleId, at);
    buf.writeUInt32BE(m.module.payload.length, at + 8);
    buf[at + 12] = m.module.moduleType;
    m.module.payload.copy(buf, at + 13);
  } else if (m.unknownData !== undefined) {
    m.unknownData.copy(buf, at);
  }
  return buf;
}

/**
 * Splits a link's byte stream into whole messages (clusterReadHandler): the first 8 bytes
 * give the signature and length, checked before the rest is buffered.
 */
export class FrameReader {
  private chunks: Buffer[] = [];
  private buffered = 0;
  /** The length of the message being read, once its first 8 bytes are in. */
  private expected = 0;

  /** Adds bytes; returns the whole messages now complete, or an error (close the link). */
  push(data: Buffer): { frames: Buffer[]; error: string | null } {
    const frames: Buffer[] = [];
    this.chunks.push(data);
    this.buffered += data.length;
    for (;;) {
      if (this.expected === 0) {
        if (this.buffered < 8) break;
        const head = this.peek(8);
        const error = checkFrameStart(head);
        if (error !== null) {
          this.chunks = [];
          this.buffered = 0;
          return { frames, error };
        }
        this.expected = head.readUInt32BE(4);
      }
      if (this.buffered < this.expected) break;
      frames.push(this.take(this.expected));
      this.expected = 0;
    }
    return { frames, error: null };
  }

  private peek(n: number): Buffer {
    if (this.chunks[0]!.length < n) this.chunks = [Buffer.concat(this.chunks)];
    return this.chunks[0]!.subarray(0, n);
  }

  private take(n: number): Buffer {
    const all = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks);
    const frame = Buffer.from(all.subarray(0, n));
    const rest = all.subarray(n);
    this.chunks = rest.length > 0 ? [rest] : [];
    this.buffered = rest.length;
    return frame;
  }
}
