/**
 * How long an MP4/MOV file plays, as the emulator's own reading of it: the movie header's
 * duration over its timescale (`moov/mvhd`), or for a fragmented file the whole duration in
 * `moov/mvex/mehd` (its `mvhd` covers only the first fragment). Written apart from the node's
 * probe (nodes/HappyHorse/media), so the emulator's `usage` checks the node rather than echoing it.
 */

/** The children of a box's payload: [type, start of payload, end]. */
function* boxes(bytes: Buffer, start: number, end: number): Generator<[string, number, number]> {
	let offset = start;
	while (offset + 8 <= end) {
		let size = bytes.readUInt32BE(offset);
		const type = bytes.toString('latin1', offset + 4, offset + 8);
		let header = 8;
		if (size === 1) {
			if (offset + 16 > end) return;
			size = Number(bytes.readBigUInt64BE(offset + 8));
			header = 16;
		} else if (size === 0) {
			size = end - offset;
		}
		if (size < header || offset + size > end) return;
		yield [type, offset + header, offset + size];
		offset += size;
	}
}

function child(bytes: Buffer, start: number, end: number, type: string) {
	for (const box of boxes(bytes, start, end)) if (box[0] === type) return box;
	return undefined;
}

/** Seconds, rounded to hundredths as DashScope reports them; undefined for anything else. */
export function videoSeconds(bytes: Buffer | undefined): number | undefined {
	if (!bytes) return undefined;
	const moov = child(bytes, 0, bytes.length, 'moov');
	const mvhd = moov && child(bytes, moov[1], moov[2], 'mvhd');
	if (!moov || !mvhd) return undefined;
	// Full box: version (1 byte), flags (3); version 1 has 64-bit times and duration.
	const version = bytes[mvhd[1]];
	const timescale = bytes.readUInt32BE(mvhd[1] + (version === 1 ? 20 : 12));
	let duration =
		version === 1 ? Number(bytes.readBigUInt64BE(mvhd[1] + 24)) : bytes.readUInt32BE(mvhd[1] + 16);
	const mvex = child(bytes, moov[1], moov[2], 'mvex');
	const mehd = mvex && child(bytes, mvex[1], mvex[2], 'mehd');
	if (mehd) {
		duration =
			bytes[mehd[1]] === 1
				? Number(bytes.readBigUInt64BE(mehd[1] + 4))
				: bytes.readUInt32BE(mehd[1] + 4);
	}
	if (!timescale) return undefined;
	return Math.round((duration / timescale) * 100) / 100;
}
