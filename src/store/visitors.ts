/**
 * A day's visitors of a page or of the site, as one item holds them: their ids (6 bytes each,
 * sorted) while they are at most 5,000, then a HyperLogLog sketch of 2^14 one-byte registers (16 KB,
 * a standard error of 1.04/√16384 = 0.81%). Visitors of a day are a union of the files' ids: adding
 * ids already there changes nothing, so a repeated or concurrent rollup never counts one twice.
 * `version` grows with every change: conditional writes compare it, and the level above takes it as
 * the number of contributions the day's count stands for (store/levels.ts).
 */

/** Exact up to this many visitors a day, as DESIGN.md asks; a sketch above. */
export const EXACT_UP_TO = 5000;

const P = 14;
const M = 1 << P;
const ALPHA = 0.7213 / (1 + 1.079 / M);
const ID_BYTES = 6;

export interface VisitorDay {
  /** The ids, packed; absent once the day is a sketch. */
  ids?: Uint8Array;
  /** The sketch's registers. */
  hll?: Uint8Array;
  /** The day's visitors: exact, or the sketch's estimate. */
  n: number;
  version: number;
}

/** The stored day with `ids` added, or undefined when it holds them all already. */
export function addToDay(stored: VisitorDay | undefined, ids: Iterable<number>): VisitorDay | undefined {
  const version = (stored?.version ?? 0) + 1;
  if (stored?.hll) {
    const registers = Uint8Array.from(stored.hll);
    let changed = false;
    for (const id of ids) changed = raise(registers, id) || changed;
    return changed ? { hll: registers, n: estimate(registers), version } : undefined;
  }
  const all = new Set(stored?.ids ? unpack(stored.ids) : []);
  const before = all.size;
  for (const id of ids) all.add(id);
  if (all.size === before) return undefined;
  if (all.size <= EXACT_UP_TO) return { ids: pack(all), n: all.size, version };
  const registers = new Uint8Array(M);
  for (const id of all) raise(registers, id);
  return { hll: registers, n: estimate(registers), version };
}

/** Ids as stored: 6 bytes each, big-endian, sorted (the same set is always the same bytes). */
export function pack(ids: Iterable<number>): Uint8Array {
  const sorted = [...ids].sort((a, b) => a - b);
  const bytes = Buffer.alloc(sorted.length * ID_BYTES);
  for (const [i, id] of sorted.entries()) bytes.writeUIntBE(id, i * ID_BYTES, ID_BYTES);
  return bytes;
}

export function unpack(bytes: Uint8Array): number[] {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const ids: number[] = [];
  for (let at = 0; at + ID_BYTES <= buffer.length; at += ID_BYTES) ids.push(buffer.readUIntBE(at, ID_BYTES));
  return ids;
}

/** Puts a 48-bit id into its register: the first 14 bits choose it, the rank of the other 34 goes in. */
function raise(registers: Uint8Array, id: number): boolean {
  const index = Math.floor(id / 2 ** 34);
  const rest = id % 2 ** 34;
  const high = Math.floor(rest / 2 ** 32);
  const zeros = high > 0 ? Math.clz32(high) - 30 : 2 + Math.clz32(rest >>> 0);
  const rank = zeros + 1;
  if (registers[index] >= rank) return false;
  registers[index] = rank;
  return true;
}

/** The sketch's estimate: linear counting while registers are empty enough, else HyperLogLog's. */
function estimate(registers: Uint8Array): number {
  let sum = 0;
  let empty = 0;
  for (const r of registers) {
    sum += 2 ** -r;
    if (r === 0) empty++;
  }
  const raw = (ALPHA * M * M) / sum;
  return Math.round(raw <= 2.5 * M && empty > 0 ? M * Math.log(M / empty) : raw);
}
