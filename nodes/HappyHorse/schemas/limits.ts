/**
 * The API's media limits: what each file of a request may be. The lowest floor: it imports
 * nothing of the node, and every limit number lives here only (docs/API.md, "Limits").
 *
 * Sizes are read as MiB (1 MB = 1,048,576 bytes): where the unit is unclear the check is the
 * lenient one, so a file the API accepts is never refused here.
 */

/** A megabyte as the limits count it: 1 MB = 1,048,576 bytes. */
export const MIB = 1024 * 1024;

/** What a video may be. */
export interface VideoLimits {
	media: 'video';
	/** The containers taken. */
	formats: ReadonlyArray<'mp4' | 'mov'>;
	/** Sample entry fourccs of the codecs taken. */
	codecs: readonly string[];
	maxBytes: number;
	minSeconds: number;
	maxSeconds: number;
	maxLongSide: number;
	minShortSide: number;
	/** Exclusive: the frame rate must be MORE than this. */
	minFrameRate: number;
}

/** What an image may be. */
export interface ImageLimits {
	media: 'image';
	/** The formats taken. */
	formats: ReadonlyArray<'jpeg' | 'png' | 'webp'>;
	maxBytes: number;
	/** The short side, and so both sides, at least this many pixels. */
	minShortSide: number;
	/**
	 * The long side over the short side at most this, either way up: 2.5 takes from 1:2.5 to
	 * 2.5:1. No limit when absent.
	 */
	maxAspectRatio?: number;
}

/**
 * One table per kind of media, keyed by the role the file plays in a request; `media` says
 * whether it is read as a video or as an image.
 */
export const MEDIA_LIMITS: {
	/** The video to edit (docs/API.md, "Limits": video (video edit)). */
	video: VideoLimits;
	/** A reference image of a video edit ("Limits": reference image (video edit)). */
	editReferenceImage: ImageLimits;
	/** The first frame of an image-to-video task ("Limits": first frame (image to video)). */
	firstFrame: ImageLimits;
	/**
	 * A character image of a reference-to-video task
	 * ("Limits": reference image (references to video)).
	 */
	characterImage: ImageLimits;
} = {
	video: {
		media: 'video',
		formats: ['mp4', 'mov'],
		codecs: ['avc1', 'avc3'],
		maxBytes: 100 * MIB,
		minSeconds: 3,
		maxSeconds: 60,
		maxLongSide: 4096,
		minShortSide: 360,
		minFrameRate: 8,
	},
	editReferenceImage: {
		media: 'image',
		formats: ['jpeg', 'png', 'webp'],
		maxBytes: 20 * MIB,
		minShortSide: 300,
	},
	firstFrame: {
		media: 'image',
		formats: ['jpeg', 'png', 'webp'],
		maxBytes: 10 * MIB,
		minShortSide: 300,
		maxAspectRatio: 2.5,
	},
	characterImage: {
		media: 'image',
		formats: ['jpeg', 'png', 'webp'],
		maxBytes: 20 * MIB,
		minShortSide: 400,
	},
};

/** The role a file plays in a request: the key of its limits. */
export type MediaKind = keyof typeof MEDIA_LIMITS;

type Count = { min: number; max: number };

/**
 * How many files of each role one request takes, per API family (docs/API.md, "Limits"):
 * the Anyfast gateway takes fewer reference images than DashScope.
 */
export const MEDIA_COUNTS: Record<MediaKind, { native: Count; anyfast: Count }> = {
	video: { native: { min: 1, max: 1 }, anyfast: { min: 1, max: 1 } },
	editReferenceImage: { native: { min: 0, max: 5 }, anyfast: { min: 1, max: 1 } },
	firstFrame: { native: { min: 1, max: 1 }, anyfast: { min: 1, max: 1 } },
	characterImage: { native: { min: 1, max: 9 }, anyfast: { min: 1, max: 3 } },
};

/** 5000 non-Chinese characters, or 2500 Chinese ones: a Chinese character counts 2. */
export const PROMPT_WEIGHT_LIMIT = 5000;
export const SEED_MAX = 2147483647;

/**
 * Output resolutions and aspect ratios, each with the models the documents list it for
 * (docs/API.md, "Settings"). The current official references-to-video reference lists all of
 * them without naming a version; older pages and Anyfast list only the values marked `everywhere`.
 * Where the sources disagree the node sends the value and explains the API's refusal (an HTTP
 * 400, never billed); it refuses before paying only what every source refuses.
 */
export interface SettingValue {
	/** Listed for every model by every source, or only by some of them. */
	listed: 'everywhere' | 'newer';
	/** Which models the documents list it for, as option descriptions and errors say it. */
	listedFor: string;
}

export const RESOLUTIONS = ['480P', '720P', '1080P'] as const;
export type Resolution = (typeof RESOLUTIONS)[number];

export const RESOLUTION_VALUES: Record<Resolution, SettingValue> = {
	'480P': {
		listed: 'newer',
		listedFor:
			"the 1.1 models in Alibaba's price lists, at half the price of 720P; the current references-to-video reference lists it without naming a version; not video edit",
	},
	'720P': { listed: 'everywhere', listedFor: 'every model' },
	'1080P': { listed: 'everywhere', listedFor: 'every model; the API default' },
};

export const RATIOS = ['16:9', '9:16', '1:1', '4:3', '3:4', '4:5', '5:4', '9:21', '21:9'] as const;
export type Ratio = (typeof RATIOS)[number];

const NEWER_RATIO: SettingValue = {
	listed: 'newer',
	listedFor:
		"the 1.1 models on gateways' pages and the current references-to-video reference (no version named); not older pages or Anyfast",
};
const EVERY_MODEL_RATIO: SettingValue = { listed: 'everywhere', listedFor: 'every model' };

export const RATIO_VALUES: Record<Ratio, SettingValue> = {
	'16:9': { listed: 'everywhere', listedFor: 'every model; the API default' },
	'9:16': EVERY_MODEL_RATIO,
	'1:1': EVERY_MODEL_RATIO,
	'4:3': EVERY_MODEL_RATIO,
	'3:4': EVERY_MODEL_RATIO,
	'4:5': NEWER_RATIO,
	'5:4': NEWER_RATIO,
	'9:21': NEWER_RATIO,
	'21:9': NEWER_RATIO,
};
export const AUDIO_SETTINGS = ['auto', 'origin'] as const;
/** Seconds of output video; video edit has no duration (its output follows the input). */
export const DURATION_SECONDS = { min: 3, max: 15 } as const;

/**
 * The most the node reads of one API answer (JSON of a few kB: a task, a page of the list, an
 * upload policy); a larger one is refused without being read whole.
 */
export const API_ANSWER_MAX_BYTES = 1 * MIB;

/**
 * The node's own cap on a result download (Options → Max Video Size (MB)), not the API's: a
 * HappyHorse result is tens of MB (15 s of 1080P H.264), and n8n 2.x's `database` binary mode
 * refuses files over 512 MiB, while in the default mode a result sits in memory twice (buffer
 * and base64). 256 MB leaves results ten times their usual size room and stays far from both.
 */
export const DEFAULT_MAX_VIDEO_SIZE_MB = 256;
