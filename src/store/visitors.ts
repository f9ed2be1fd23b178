/**
 * A day's visitors of a page or of the site, as one item holds them: their ids (6 bytes each,
 * sorted) while they are at most 5,000, then a HyperLogLog sketch of 2^15 one-byte registers (32 KB,
 * no more than the 5,000 ids; a standard error of 1.04/√32768 = 0.57%, so 2% is 3.5 standard
 * errors). Visitors of a day are a union of the files' ids: adding ids already there changes
 * nothing, so a repeated or concurrent rollup never counts one twice.
 * `version` grows with every change: conditional writes compare it, and the level above takes it as
 * the number of contributions the day's count stands for (store/levels.ts).
 */

/** Exact up to this many visitors a day (docs/storage.md, "Visitors"); a sketch above. */
export const EXACT_UP_TO = 5000;

const P = 15;
const M = 1 << P;
const RANK_BITS = 48 - P;
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

/** Puts a 48-bit id into its register: the first P bits choose it, the rank of the other bits goes in. */
function raise(registers: Uint8Array, id: number): boolean {
  const index = Math.floor(id / 2 ** RANK_BITS);
  const rest = id % 2 ** RANK_BITS;
  const high = Math.floor(rest / 2 ** 32);
  const length = high > 0 ? 64 - Math.clz32(high) : 32 - Math.clz32(rest);
  const rank = RANK_BITS - length + 1;
  if (registers[index] >= rank) return false;
  registers[index] = rank;
  return true;
}

/**
 * The sketch's estimate by Ertl's improved estimator ("New cardinality estimation algorithms for
 * HyperLogLog sketches", 2017): unbiased from a few visitors to billions without the empirical bias
 * tables of HyperLogLog++, so the error stays at the standard 0.57% right above 5,000, where the
 * original estimator's switch from linear counting is biased.
 */
function estimate(registers: Uint8Array): number {
  const Q = RANK_BITS;
  const counts = new Array<number>(Q + 2).fill(0);
  for (const r of registers) counts[r]++;
  let z = M * tau(1 - counts[Q + 1] / M);
  for (let k = Q; k >= 1; k--) z = 0.5 * (z + counts[k]);
  z += M * sigma(counts[0] / M);
  return Math.round((M * M) / (2 * Math.LN2 * z));
}

function sigma(x: number): number {
  if (x === 1) return Number.POSITIVE_INFINITY;
  let y = 1;
  let z = x;
  for (;;) {
    x *= x;
    const before = z;
    z += x * y;
    y += y;
    if (z === before) return z;
  }
}

function tau(x: number): number {
  if (x === 0 || x === 1) return 0;
  let y = 1;
  let z = 1 - x;
  for (;;) {
    x = Math.sqrt(x);
    const before = z;
    y *= 0.5;
    z -= (1 - x) ** 2 * y;
    if (z === before) return z / 3;
  }
}
