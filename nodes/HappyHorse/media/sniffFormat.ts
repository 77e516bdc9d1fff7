/**
 * What a file is, from its first bytes alone: the container of a video (MP4 or MOV) or the
 * format of an image (JPEG, PNG, WEBP). HEIF/AVIF stills, which are ISO BMFF too, are not video.
 */

import { fourcc, isAscii, startsWith, u32be } from './bytes';

/** The formats sniffFormat tells apart. */
export type MediaFormat = 'mp4' | 'mov' | 'jpeg' | 'png' | 'webp';

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] as const;

/** ftyp major brands of HEIF/AVIF still images, which are ISO BMFF but not video. */
const IMAGE_BRANDS = new Set([
	'heic',
	'heix',
	'heim',
	'heis',
	'hevc',
	'hevx',
	'mif1',
	'msf1',
	'avif',
	'avis',
	'avio',
]);

/** Top-level box types a QuickTime file without ftyp may start with. */
const LEGACY_QT_FIRST_BOXES = new Set(['moov', 'mdat', 'wide', 'free', 'skip', 'pnot']);

/**
 * Sniffs the format from the first bytes (ftyp brand 'qt  ' → mov; other ftyp → mp4; FFD8FF →
 * jpeg; PNG signature; RIFF....WEBP). undefined if unknown.
 */
export function sniffFormat(head: Uint8Array): MediaFormat | undefined {
	if (!(head instanceof Uint8Array)) return undefined;
	if (startsWith(head, 0, [0xff, 0xd8, 0xff])) return 'jpeg';
	if (startsWith(head, 0, PNG_SIGNATURE)) return 'png';
	if (isAscii('RIFF', 0, head) && isAscii('WEBP', 8, head)) return 'webp';
	const type = fourcc(head, 4);
	const size = u32be(head, 0);
	if (type === 'ftyp') {
		const brand = fourcc(head, 8);
		if (brand === undefined || size === undefined || (size !== 0 && size < 12)) return undefined;
		if (brand === 'qt  ') return 'mov';
		if (IMAGE_BRANDS.has(brand)) return undefined;
		return 'mp4';
	}
	// A classic QuickTime movie has no ftyp: it starts with one of its usual top-level boxes.
	if (type !== undefined && size !== undefined && LEGACY_QT_FIRST_BOXES.has(type)) {
		if (size === 0 || size === 1 || size >= 8) return 'mov';
	}
	return undefined;
}
