/**
 * Bounds-checked reading of big- and little-endian integers, fourccs and signatures from a byte
 * buffer. Each reader returns undefined (or false) when the bytes are not there, never throws,
 * so a truncated or garbage file gives unknown facts instead of an error.
 */

export function u8(b: Uint8Array, o: number): number | undefined {
	return o >= 0 && o < b.length ? b[o] : undefined;
}

export function u16be(b: Uint8Array, o: number): number | undefined {
	if (o < 0 || o + 2 > b.length) return undefined;
	return (b[o] << 8) | b[o + 1];
}

export function u16le(b: Uint8Array, o: number): number | undefined {
	if (o < 0 || o + 2 > b.length) return undefined;
	return b[o] | (b[o + 1] << 8);
}

export function u24le(b: Uint8Array, o: number): number | undefined {
	if (o < 0 || o + 3 > b.length) return undefined;
	return b[o] | (b[o + 1] << 8) | (b[o + 2] << 16);
}

export function u32be(b: Uint8Array, o: number): number | undefined {
	if (o < 0 || o + 4 > b.length) return undefined;
	return b[o] * 0x1000000 + ((b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]);
}

export function u32le(b: Uint8Array, o: number): number | undefined {
	if (o < 0 || o + 4 > b.length) return undefined;
	return b[o + 3] * 0x1000000 + ((b[o + 2] << 16) | (b[o + 1] << 8) | b[o]);
}

/** A 64-bit big-endian integer, undefined beyond Number.MAX_SAFE_INTEGER. */
export function u64be(b: Uint8Array, o: number): number | undefined {
	const hi = u32be(b, o);
	const lo = u32be(b, o + 4);
	if (hi === undefined || lo === undefined || hi >= 0x200000) return undefined;
	return hi * 0x100000000 + lo;
}

/** Four bytes as a four-character code (a box type, a chunk name). */
export function fourcc(b: Uint8Array, o: number): string | undefined {
	if (o < 0 || o + 4 > b.length) return undefined;
	return String.fromCharCode(b[o], b[o + 1], b[o + 2], b[o + 3]);
}

/** Whether the bytes at `o` are `sig`. */
export function startsWith(b: Uint8Array, o: number, sig: readonly number[]): boolean {
	if (o < 0 || o + sig.length > b.length) return false;
	for (let i = 0; i < sig.length; i++) if (b[o + i] !== sig[i]) return false;
	return true;
}

/** Whether the bytes at `o` spell the ASCII string `s`. */
export function isAscii(s: string, o: number, b: Uint8Array): boolean {
	return startsWith(
		b,
		o,
		Array.from(s, (c) => c.charCodeAt(0)),
	);
}

/** `n` when it is a finite number above 0, else undefined (a zero size or timescale is unknown). */
export function positive(n: number | undefined): number | undefined {
	return n !== undefined && Number.isFinite(n) && n > 0 ? n : undefined;
}

/** Drops the keys whose value is undefined, so the facts hold only what was read. */
export function stripUndefined<T extends object>(o: T): T {
	for (const k of Object.keys(o) as Array<keyof T>) if (o[k] === undefined) delete o[k];
	return o;
}
