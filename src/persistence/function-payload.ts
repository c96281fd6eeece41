/**
 * The FUNCTION DUMP / FUNCTION RESTORE payload (Redis 7.0.15; SPEC.md section 1).
 *
 *   payload := record* version:u16le crc64:u64le
 *   record  := 0xF5 rdb-string(library code)                       written and read
 *            | 0xF6 name engine has_desc:rdb-len [desc] blob       7.0-rc format, read only
 *
 * The CRC covers every byte before it, version included. The footer check is the one
 * key DUMP/RESTORE use too (cluster.c:verifyDumpPayload), so it is exported separately.
 *
 * Library code is handled as lunakv strings (one char per byte, 'latin1').
 */

import { Crc64 } from './crc64.js';
import { RdbFormatError, RdbReader, RdbWriter } from './rdb-encoding.js';

/** RDB_OPCODE_FUNCTION2: one library's source. */
export const FUNCTION_RECORD_OPCODE = 0xf5;
/** RDB_OPCODE_FUNCTION: the pre-GA (7.0-rc1/rc2) record, converted on load. */
export const PRE_GA_FUNCTION_RECORD_OPCODE = 0xf6;
/** RDB_VERSION of Redis 7.0, written in every footer and the highest one accepted. */
export const DUMP_RDB_VERSION = 10;
/** Version (2 bytes) + CRC-64 (8 bytes). */
export const DUMP_FOOTER_LENGTH = 10;

/** The exact error replies FUNCTION RESTORE gives for payload-level problems. */
export const FunctionPayloadErrors = {
  badFooter: 'ERR DUMP payload version or checksum are wrong',
  notAFunction: 'ERR given type is not a function',
  libraryPayload: 'ERR Failed loading library payload',
  preGaName: 'ERR Failed loading library name',
  preGaEngine: 'ERR Failed loading engine name',
  preGaDescriptionIndicator: 'ERR Failed loading library description indicator',
  preGaDescription: 'ERR Failed loading library description',
  preGaBlob: 'ERR Failed loading library blob',
} as const;

export interface DumpFooterOptions {
  /** Highest footer version accepted; Redis compares with its own RDB_VERSION. */
  maxVersion?: number;
  /** DEBUG SET-SKIP-CHECKSUM-VALIDATION 1: skip the CRC (the version is still checked). */
  skipChecksum?: boolean;
}

export interface FunctionsPayloadOptions {
  /** Config `rdbcompression` (default yes): store libraries LZF-compressed when it pays. */
  compression?: boolean;
  /** Footer version; 10 as Redis 7.0 writes it. */
  version?: number;
}

export type DecodeFunctionsPayloadResult =
  | { ok: true; libraries: string[] }
  | {
      ok: false;
      /** The exact error reply, "ERR ..." included. */
      error: string;
      /**
       * The records read before the failing one. Redis compiles each record before it
       * reads the next, so a compile error in one of these wins over `error`: a caller
       * that runs libraries must try these first to report the same error as Redis.
       */
      librariesBeforeError: string[];
    };

/**
 * Whether payload passes Redis's footer check: at least 10 bytes, version not above
 * maxVersion (lower ones, even 0, pass) and a correct CRC. There is no special case for
 * a zero CRC (unlike RDB files, where 0 means "checksum disabled").
 */
export function verifyDumpPayload(payload: Uint8Array, options?: DumpFooterOptions): boolean {
  const length = payload.length;
  if (length < DUMP_FOOTER_LENGTH) return false;
  const footer = length - DUMP_FOOTER_LENGTH;
  const version = payload[footer]! | (payload[footer + 1]! << 8);
  if (version > (options?.maxVersion ?? DUMP_RDB_VERSION)) return false;
  if (options?.skipChecksum) return true;
  return new Crc64().update(payload, 0, length - 8).matchesLE(payload, length - 8);
}

/** Appends the version and the CRC of everything written so far (the DUMP footer). */
export function appendDumpFooter(writer: RdbWriter, version: number = DUMP_RDB_VERSION): void {
  writer.writeUInt16LE(version);
  const crc = new Crc64().update(writer.view()).digest();
  writer.writeBigUInt64LE(crc);
}

/** Writes one library as a 0xF5 record (rdbSaveFunctions), e.g. into an RDB file. */
export function writeFunctionRecord(
  writer: RdbWriter,
  libraryCode: string | Uint8Array,
  options?: { compression?: boolean },
): void {
  writer.writeByte(FUNCTION_RECORD_OPCODE);
  writer.writeString(libraryCode, options);
}

/** FUNCTION DUMP: the payload for these library sources, in this order. */
export function encodeFunctionsPayload(
  libraryCodes: ReadonlyArray<string | Uint8Array>,
  options?: FunctionsPayloadOptions,
): Buffer {
  let estimate = DUMP_FOOTER_LENGTH;
  for (const code of libraryCodes) estimate += code.length + 10;
  const writer = new RdbWriter(estimate);
  const stringOptions = { compression: options?.compression ?? true };
  for (const code of libraryCodes) writeFunctionRecord(writer, code, stringOptions);
  appendDumpFooter(writer, options?.version ?? DUMP_RDB_VERSION);
  return writer.toBuffer();
}

/** A record could not be read; the message is Redis's error text without "ERR ". */
export class FunctionRecordError extends Error {
  override name = 'FunctionRecordError';
}

/**
 * Reads the body of a function record whose opcode was just consumed, and returns the
 * library code (rdb.c:rdbFunctionLoad). Throws FunctionRecordError.
 */
export function readFunctionRecord(reader: RdbReader, opcode: number): string {
  if (opcode === FUNCTION_RECORD_OPCODE) {
    return readRecordField(reader, FunctionPayloadErrors.libraryPayload);
  }
  if (opcode === PRE_GA_FUNCTION_RECORD_OPCODE) return readPreGaRecord(reader);
  throw new FunctionRecordError(withoutErrPrefix(FunctionPayloadErrors.notAFunction));
}

/**
 * The 7.0-rc record: name, engine, has_desc, [desc], blob. Redis rebuilds the modern
 * source "#!<engine> name=<name>\n<blob>" with sdscatfmt's %s, which stops at a NUL
 * byte, so each part is cut at its first NUL. The description is dropped.
 */
function readPreGaRecord(reader: RdbReader): string {
  const name = readRecordField(reader, FunctionPayloadErrors.preGaName);
  const engine = readRecordField(reader, FunctionPayloadErrors.preGaEngine);
  let hasDescription: number;
  try {
    hasDescription = reader.readLength();
  } catch (error) {
    throw asRecordError(error, FunctionPayloadErrors.preGaDescriptionIndicator);
  }
  if (hasDescription !== 0) readRecordField(reader, FunctionPayloadErrors.preGaDescription);
  const blob = readRecordField(reader, FunctionPayloadErrors.preGaBlob);
  return `#!${upToNul(engine)} name=${upToNul(name)}\n${upToNul(blob)}`;
}

function readRecordField(reader: RdbReader, errorReply: string): string {
  try {
    return reader.readString();
  } catch (error) {
    throw asRecordError(error, errorReply);
  }
}

function asRecordError(error: unknown, errorReply: string): unknown {
  return error instanceof RdbFormatError ? new FunctionRecordError(withoutErrPrefix(errorReply)) : error;
}

function upToNul(text: string): string {
  const nul = text.indexOf('\0');
  return nul < 0 ? text : text.slice(0, nul);
}

function withoutErrPrefix(reply: string): string {
  return reply.startsWith('ERR ') ? reply.slice(4) : reply;
}

/**
 * FUNCTION RESTORE's payload stage (functions.c:functionRestoreCommand): checks the
 * footer, then reads records while more than 10 bytes remain. Like Redis, the reader
 * spans the whole payload, footer included: a string may run into the footer (the loop
 * then ends), but not past the end. Library code is not validated here.
 */
export function decodeFunctionsPayload(
  payload: Buffer,
  options?: DumpFooterOptions,
): DecodeFunctionsPayloadResult {
  const libraries: string[] = [];
  if (!verifyDumpPayload(payload, options)) {
    return { ok: false, error: FunctionPayloadErrors.badFooter, librariesBeforeError: libraries };
  }
  const reader = new RdbReader(payload);
  while (payload.length - reader.position > DUMP_FOOTER_LENGTH) {
    const opcode = reader.readByte();
    try {
      libraries.push(readFunctionRecord(reader, opcode));
    } catch (error) {
      if (!(error instanceof FunctionRecordError)) throw error;
      return { ok: false, error: `ERR ${error.message}`, librariesBeforeError: libraries };
    }
  }
  return { ok: true, libraries };
}
