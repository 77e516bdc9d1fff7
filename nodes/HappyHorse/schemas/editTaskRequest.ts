import { z } from 'zod';

import type { MediaRules } from './task';

export const DEFAULT_MODEL = 'happyhorse-1.0-video-edit';

/** 5000 non-Chinese characters, or 2500 Chinese ones: a Chinese character counts 2. */
const PROMPT_WEIGHT_LIMIT = 5000;
const SEED_MAX = 2147483647;
const RESOLUTIONS = ['720P', '1080P'] as const;
const AUDIO_SETTINGS = ['auto', 'origin'] as const;

const HAN = /\p{Script=Han}/u;

/** The prompt's length as the API counts it. */
function promptWeight(prompt: string): number {
	let weight = 0;
	for (const character of prompt) weight += HAN.test(character) ? 2 : 1;
	return weight;
}

function urlSchemeProblem(url: string, acceptsOssUrls: boolean): string | undefined {
	if (acceptsOssUrls && /^oss:\/\/\S+$/.test(url)) return undefined;
	let parsed: URL;
	try {
		parsed = new URL(url);
	} catch {
		return `"${url}" is not a URL`;
	}
	if (parsed.protocol === 'http:' || parsed.protocol === 'https:') return undefined;
	if (parsed.protocol === 'oss:') {
		return 'oss:// URLs work only with a DashScope endpoint';
	}
	return `must start with http:// or https://${acceptsOssUrls ? ' (or oss://)' : ''}, not ${parsed.protocol}//`;
}

/** An enum whose error lists the allowed values in words. */
function oneOf<T extends readonly [string, ...string[]]>(values: T) {
	return z.enum(values as unknown as [T[number], ...T[number][]], {
		errorMap: (_issue, context) => ({
			message: `must be ${values.join(' or ')}, not ${JSON.stringify(context.data)}`,
		}),
	});
}

const mediaItemSchema = z.object({
	type: z.enum(['video', 'reference_image']),
	url: z.string().trim().min(1, 'is empty'),
});

/**
 * The submit body, the same on both families (Anyfast takes the native body). Built per family
 * because the media rules differ; the refinements name the UI field, see describeIssue.
 */
export function editTaskRequestSchema(rules: MediaRules) {
	return z
		.object({
			model: z.string().trim().min(1, 'is empty'),
			input: z.object({
				prompt: z
					.string({ invalid_type_error: 'must be text' })
					.trim()
					.min(
						1,
						'is empty: describe the edit, e.g. "replace the background with a beach at sunset"',
					)
					.superRefine((prompt, context) => {
						const weight = promptWeight(prompt);
						if (weight > PROMPT_WEIGHT_LIMIT) {
							context.addIssue({
								code: z.ZodIssueCode.custom,
								message: `is too long: ${weight} of ${PROMPT_WEIGHT_LIMIT} allowed (a Chinese character counts 2)`,
							});
						}
					}),
				media: z.array(mediaItemSchema).superRefine((media, context) => {
					const videos = media.filter((item) => item.type === 'video').length;
					const images = media.length - videos;
					if (videos !== 1) {
						context.addIssue({
							code: z.ZodIssueCode.custom,
							message: `must hold exactly one video, not ${videos}`,
						});
					}
					if (images > rules.maxReferenceImages || images < rules.minReferenceImages) {
						const allowed =
							rules.minReferenceImages === rules.maxReferenceImages
								? `exactly ${rules.maxReferenceImages}`
								: `${rules.minReferenceImages} to ${rules.maxReferenceImages}`;
						context.addIssue({
							code: z.ZodIssueCode.custom,
							message: `${images} reference image(s) given; ${rules.label} takes ${allowed}`,
						});
					}
					media.forEach((item, index) => {
						const problem = urlSchemeProblem(item.url, rules.acceptsOssUrls);
						if (problem) {
							context.addIssue({
								code: z.ZodIssueCode.custom,
								message: problem,
								path: [index, 'url'],
							});
						}
					});
				}),
			}),
			parameters: z
				.object({
					resolution: oneOf(RESOLUTIONS).optional(),
					watermark: z.boolean({ invalid_type_error: 'must be true or false' }).optional(),
					audio_setting: oneOf(AUDIO_SETTINGS).optional(),
					seed: z
						.number({ invalid_type_error: 'must be a whole number' })
						.int('must be a whole number')
						.min(0, `must be between 0 and ${SEED_MAX}`)
						.max(SEED_MAX, `must be between 0 and ${SEED_MAX}`)
						.optional(),
				})
				.strict(),
		})
		.strict();
}

export type EditTaskRequest = z.infer<ReturnType<typeof editTaskRequestSchema>>;

/** The UI name of a place in the request body, for error messages. */
export function fieldLabel(path: Array<string | number>): string {
	const key = path.join('.');
	const labels: Record<string, string> = {
		model: 'Options → Model',
		'input.prompt': 'Prompt',
		'input.media': 'Video and Reference Images',
		'input.media.0.url': 'Video URL',
		'parameters.resolution': 'Options → Resolution',
		'parameters.watermark': 'Options → Watermark',
		'parameters.audio_setting': 'Options → Audio',
		'parameters.seed': 'Options → Seed',
	};
	if (labels[key]) return labels[key];
	const media = /^input\.media\.(\d+)/.exec(key);
	if (media) return `Reference Image ${Number(media[1])} URL`;
	return key;
}
