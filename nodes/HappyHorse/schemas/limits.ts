/**
 * The API's media limits: what each file of a request may be. The lowest floor: it imports
 * nothing of the node, and every limit number lives here only (docs/API.md).
 */

export type MediaKind = 'video' | 'image';

/** A megabyte as the limits count it: 1 MB = 1,048,576 bytes. */
export const MIB = 1024 * 1024;

/**
 * The API's rules (docs/API.md, "Video edit"). Sizes are read as MiB (1 MB = 1,048,576 bytes):
 * where the unit is unclear the check is the lenient one, so a file the API accepts is never
 * refused here.
 */
export const MEDIA_LIMITS: {
	video: {
		maxBytes: number;
		minSeconds: number;
		maxSeconds: number;
		maxLongSide: number;
		minShortSide: number;
		minFrameRate: number;
		codecs: string[];
	};
	image: { maxBytes: number; minSide: number };
} = {
	video: {
		maxBytes: 100 * MIB,
		minSeconds: 3,
		maxSeconds: 60,
		maxLongSide: 4096,
		minShortSide: 360,
		/** Exclusive: the frame rate must be MORE than this. */
		minFrameRate: 8,
		codecs: ['avc1', 'avc3'],
	},
	image: { maxBytes: 20 * MIB, minSide: 300 },
};
