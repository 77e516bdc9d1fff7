import type { MediaKind, Resolution } from './limits';
import { RESOLUTIONS } from './limits';

/**
 * The kinds of HappyHorse task, one per create operation (docs/API.md, "Models"). One submit
 * URL and one body shape serve them all; the model id chooses the task, and each kind takes its
 * own media and parameters.
 */
const TASK_KINDS = ['videoEdit', 'textToVideo', 'imageToVideo', 'referenceToVideo'] as const;
export type TaskKind = (typeof TASK_KINDS)[number];

/** Where an operation takes a picture or a video from: Video Source, Image Source, Source. */
export const MEDIA_SOURCES = ['url', 'binary'] as const;

/** The entry types of `input.media`. */
export type MediaType = 'video' | 'reference_image' | 'first_frame';

/** The parameters the node has options for; Additional Parameters may not set these. */
export type ParameterName =
	'resolution' | 'ratio' | 'duration' | 'watermark' | 'audio_setting' | 'seed';

export interface TaskKindSpec {
	/** The kind's models, the default first (1.0), then newer versions. */
	models: readonly [string, ...string[]];
	promptRequired: boolean;
	/** What each media type of this kind is, for the file checks (its limits table). */
	mediaRoles: Partial<Record<MediaType, MediaKind>>;
	/** How messages name a task of this kind. */
	noun: string;
	/** How messages name the media as a whole: 'Video and Reference Images'. */
	mediaLabel: string;
	parameters: readonly ParameterName[];
	/** The resolutions any source lists for this kind (docs/API.md, "Settings"). */
	resolutions: readonly Resolution[];
	/**
	 * Media types that may be sent inline as `data:` URIs on DashScope endpoints: only where the
	 * official reference says so (docs/API.md, "Pictures inline").
	 */
	inlineMedia: readonly MediaType[];
}

export const TASK_KIND_SPECS: Record<TaskKind, TaskKindSpec> = {
	videoEdit: {
		noun: 'edit task',
		// There is no 1.1 video edit (docs/API.md, "Models").
		models: ['happyhorse-1.0-video-edit'],
		promptRequired: true,
		mediaRoles: { video: 'video', reference_image: 'editReferenceImage' },
		mediaLabel: 'Video and Reference Images',
		parameters: ['resolution', 'watermark', 'audio_setting', 'seed'],
		// No source lists 480P for video edit: refused before paying.
		resolutions: ['720P', '1080P'],
		inlineMedia: [],
	},
	textToVideo: {
		noun: 'text-to-video task',
		models: ['happyhorse-1.0-t2v', 'happyhorse-1.1-t2v'],
		promptRequired: true,
		mediaRoles: {},
		mediaLabel: 'Media',
		parameters: ['resolution', 'ratio', 'duration', 'watermark', 'seed'],
		resolutions: RESOLUTIONS,
		inlineMedia: [],
	},
	imageToVideo: {
		noun: 'image-to-video task',
		models: ['happyhorse-1.0-i2v', 'happyhorse-1.1-i2v'],
		// The first frame says what to show; a prompt only steers it.
		promptRequired: false,
		mediaRoles: { first_frame: 'firstFrame' },
		mediaLabel: 'First Frame',
		// No ratio: the output follows the image.
		parameters: ['resolution', 'duration', 'watermark', 'seed'],
		resolutions: RESOLUTIONS,
		inlineMedia: [],
	},
	referenceToVideo: {
		noun: 'reference-to-video task',
		models: ['happyhorse-1.0-r2v', 'happyhorse-1.1-r2v'],
		promptRequired: true,
		mediaRoles: { reference_image: 'characterImage' },
		mediaLabel: 'Reference Images',
		parameters: ['resolution', 'ratio', 'duration', 'watermark', 'seed'],
		resolutions: RESOLUTIONS,
		inlineMedia: ['reference_image'],
	},
};

/** Every HappyHorse model the node knows, for List Tasks' filter. */
export const ALL_MODELS: readonly string[] = TASK_KINDS.flatMap(
	(kind) => TASK_KIND_SPECS[kind].models,
);

/** How messages name a task of a model: 'edit task', 'text-to-video task'. */
export function taskNoun(model: string): string {
	const kind = kindOfModel(model);
	return kind ? TASK_KIND_SPECS[kind].noun : 'task';
}

/** The kind of task a model makes, when the model is one the node knows. */
function kindOfModel(model: string): TaskKind | undefined {
	return TASK_KINDS.find((candidate) => TASK_KIND_SPECS[candidate].models.includes(model));
}

/** Whether a model is a newer version (1.1) of its kind than the default one (1.0). */
export function isNewerModel(model: string): boolean {
	const kind = kindOfModel(model);
	return kind !== undefined && TASK_KIND_SPECS[kind].models.indexOf(model) > 0;
}

/** Whether a kind's body has `input.media` (text to video has none). */
export function takesMedia(kind: TaskKind): boolean {
	return Object.keys(TASK_KIND_SPECS[kind].mediaRoles).length > 0;
}
