import { z } from 'zod';

import type { MediaKind, SettingValue } from './limits';
import {
	AUDIO_SETTINGS,
	DURATION_SECONDS,
	MEDIA_COUNTS,
	PROMPT_WEIGHT_LIMIT,
	RATIOS,
	RATIO_VALUES,
	RESOLUTIONS,
	RESOLUTION_VALUES,
	SEED_MAX,
} from './limits';
import type { FamilyRules } from './task';
import type { MediaType, ParameterName, TaskKind } from './taskKinds';
import { TASK_KIND_SPECS, isNewerModel, takesMedia } from './taskKinds';

/**
 * The submit body (docs/API.md, "Native family"), one shape for every kind of task: what every
 * operation builds and every family sends (Anyfast reshapes it for its flat body).
 */
export interface TaskRequest {
	model: string;
	input: { prompt?: string; media?: Array<{ type: MediaType; url: string }> };
	parameters: Record<string, unknown>;
}

const HAN = /\p{Script=Han}/u;

/**
 * What a prompt may hold and still say nothing: white space, including the zero-width and other
 * Unicode spaces an expression or a copied text can carry (String.trim() keeps the zero-width ones).
 */
const INVISIBLE = /[\s\u180E\u200B-\u200D\u2060\uFEFF]/gu;

function isBlank(text: string): boolean {
	return text.replace(INVISIBLE, '') === '';
}

/** How messages name a value's type: "got an object", "got a number". */
const TYPE_NOUNS: Record<string, string> = {
	object: 'an object',
	array: 'an array',
	number: 'a number',
	nan: 'a number',
	integer: 'a number',
	float: 'a number',
	bigint: 'a number',
	boolean: 'true or false',
	string: 'text',
	null: 'nothing',
	undefined: 'nothing',
	date: 'a date',
	function: 'a function',
};

/** The type of a value as a message names it: 'an object', 'an array', 'a number'. */
export function typeNoun(value: unknown): string {
	const type = z.getParsedType(value);
	return TYPE_NOUNS[type] ?? type;
}

/**
 * zod's messages in the node's voice, after the field's name: "Video URL must be text, got an
 * object", not "Video URL Expected string, received object". Schemas with messages of their
 * own keep them.
 */
export const nodeVoice: z.ZodErrorMap = (issue, context) => {
	// A schema's own message (oneOf, wholeNumber) stands; only zod's defaults are rewritten.
	if (context.defaultError !== z.defaultErrorMap(issue, context).message) {
		return { message: context.defaultError };
	}
	if (issue.code === z.ZodIssueCode.invalid_type) {
		if (issue.received === 'undefined') return { message: 'is missing' };
		const expected = TYPE_NOUNS[issue.expected] ?? issue.expected;
		return { message: `must be ${expected}, got ${TYPE_NOUNS[issue.received] ?? issue.received}` };
	}
	if (issue.code === z.ZodIssueCode.unrecognized_keys) {
		return { message: `has fields this operation does not take: ${issue.keys.join(', ')}` };
	}
	return { message: context.defaultError };
};

/** The prompt's length as the API counts it: a Chinese character counts 2. */
function promptWeight(prompt: string): number {
	let weight = 0;
	for (const character of prompt) weight += HAN.test(character) ? 2 : 1;
	return weight;
}

/**
 * A picture inline, as the references-to-video reference documents it: JPEG, PNG or WEBP,
 * base64 (docs/API.md, "Pictures inline").
 */
const DATA_URI = /^data:image\/(?:jpeg|png|webp);base64,[A-Za-z0-9+/]+={0,2}$/;

function urlSchemeProblem(
	url: string,
	acceptsOssUrls: boolean,
	acceptsDataUris: boolean,
): string | undefined {
	if (acceptsOssUrls && /^oss:\/\/\S+$/.test(url)) return undefined;
	if (acceptsDataUris && url.startsWith('data:')) {
		return DATA_URI.test(url)
			? undefined
			: 'must be a data:image/jpeg, image/png or image/webp URI in base64';
	}
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

/** A list in words: '720P or 1080P', '480P, 720P or 1080P'. */
export function inWords(values: readonly string[]): string {
	return values.length < 2
		? values.join('')
		: `${values.slice(0, -1).join(', ')} or ${values.at(-1)}`;
}

/** An enum whose error lists the allowed values in words. */
function oneOf<T extends readonly [string, ...string[]]>(values: T) {
	return z.enum(values as unknown as [T[number], ...T[number][]], {
		errorMap: (_issue, context) => ({
			message: `must be ${inWords(values)}, not ${JSON.stringify(context.data)}`,
		}),
	});
}

const wholeNumber = (min: number, max: number) =>
	z
		.number({ invalid_type_error: 'must be a whole number' })
		.int('must be a whole number')
		.min(min, `must be between ${min} and ${max}`)
		.max(max, `must be between ${min} and ${max}`);

/**
 * The resolutions a kind takes. A value another kind takes is named as such: no source lists
 * 480P for video edit (docs/API.md, "Settings").
 */
function resolutionSchema(kind: TaskKind) {
	const { resolutions, noun } = TASK_KIND_SPECS[kind];
	const values = resolutions as unknown as readonly [string, ...string[]];
	return z
		.string({ invalid_type_error: `must be ${inWords(values)}` })
		.superRefine((value, context) => {
			if (values.includes(value)) return;
			const elsewhere = (RESOLUTIONS as readonly string[]).includes(value);
			context.addIssue({
				code: z.ZodIssueCode.custom,
				message: `must be ${inWords(values)}, not ${JSON.stringify(value)}${
					elsewhere ? `: no source lists ${value} for an ${noun}` : ''
				}`,
			});
		});
}

/** Each parameter the node has an option for, as the API takes it (docs/API.md, "Limits"). */
const PARAMETER_SCHEMAS: Record<Exclude<ParameterName, 'resolution'>, z.ZodTypeAny> = {
	ratio: oneOf(RATIOS),
	duration: wholeNumber(DURATION_SECONDS.min, DURATION_SECONDS.max),
	watermark: z.boolean({ invalid_type_error: 'must be true or false' }),
	audio_setting: oneOf(AUDIO_SETTINGS),
	seed: wholeNumber(0, SEED_MAX),
};

/**
 * A parameter of the API that this kind does not take (schemas/taskKinds.ts): an error, never
 * dropped or sent (an expression or an older operation may have set it).
 */
function notTaken(kind: TaskKind): string {
	return `is not taken by ${TASK_KIND_SPECS[kind].noun}s: remove it`;
}

function promptSchema(kind: TaskKind) {
	const required = TASK_KIND_SPECS[kind].promptRequired;
	const example =
		kind === 'videoEdit'
			? 'describe the edit, e.g. "replace the background with a beach at sunset"'
			: 'describe the video, e.g. "a red fox running through snow at dawn"';
	return z
		.string()
		.transform((text) => (isBlank(text) ? '' : text.trim()))
		.pipe(
			z
				.string()
				.min(required ? 1 : 0, `is empty: ${example}`)
				.superRefine((prompt, context) => {
					const weight = promptWeight(prompt);
					if (weight > PROMPT_WEIGHT_LIMIT) {
						context.addIssue({
							code: z.ZodIssueCode.custom,
							message: `is too long: ${weight} of ${PROMPT_WEIGHT_LIMIT} allowed (a Chinese character counts 2)`,
						});
					}
				}),
		);
}

function countText(min: number, max: number): string {
	return min === max ? `exactly ${max}` : `${min} to ${max}`;
}

function mediaSchema(kind: TaskKind, family: FamilyRules) {
	const roles = TASK_KIND_SPECS[kind].mediaRoles as Record<MediaType, MediaKind | undefined>;
	const types = Object.keys(roles) as MediaType[];
	const entry = z.object({
		type: z.enum(types as [MediaType, ...MediaType[]]),
		url: z.string().trim().min(1, 'is empty'),
	});
	return z.array(entry).superRefine((media, context) => {
		for (const type of types) {
			const { min, max } = MEDIA_COUNTS[roles[type] as MediaKind][family.family];
			const given = media.filter((item) => item.type === type).length;
			if (given >= min && given <= max) continue;
			const message =
				type === 'video'
					? `must hold exactly one video, not ${given}`
					: `hold ${given} ${type === 'first_frame' ? 'first frame' : 'reference image'}${given === 1 ? '' : 's'}; ${family.label} takes ${countText(min, max)}`;
			context.addIssue({ code: z.ZodIssueCode.custom, message });
		}
		media.forEach((item, index) => {
			const inline =
				family.acceptsDataUris && TASK_KIND_SPECS[kind].inlineMedia.includes(item.type);
			const problem = urlSchemeProblem(item.url, family.acceptsOssUrls, inline);
			if (problem) {
				context.addIssue({ code: z.ZodIssueCode.custom, message: problem, path: [index, 'url'] });
			}
		});
	});
}

/**
 * The submit body of one kind of task on one family, checked before anything is sent: the
 * prompt rule, the media the kind takes and their counts on this family, the parameters it
 * takes and nothing else. The issues' paths name the body's fields; `fieldLabel` names the UI's.
 */
export function taskRequestSchema(kind: TaskKind, family: FamilyRules) {
	// Built once per kind and family, not per item (bench/overhead.ts).
	const ofFamily = requestSchemas.get(family) ?? new Map<TaskKind, TaskRequestSchema>();
	requestSchemas.set(family, ofFamily);
	const known = ofFamily.get(kind);
	if (known) return known;
	const schema = buildTaskRequestSchema(kind, family);
	ofFamily.set(kind, schema);
	return schema;
}

type TaskRequestSchema = ReturnType<typeof buildTaskRequestSchema>;

const requestSchemas = new WeakMap<FamilyRules, Map<TaskKind, TaskRequestSchema>>();

function buildTaskRequestSchema(kind: TaskKind, family: FamilyRules) {
	const spec = TASK_KIND_SPECS[kind];
	const taken: readonly string[] = spec.parameters;
	// The API's other parameters are named as not taken, not as unknown fields.
	const parameters = Object.fromEntries(
		Object.entries({ ...PARAMETER_SCHEMAS, resolution: resolutionSchema(kind) }).map(
			([name, schema]) => [
				name,
				taken.includes(name)
					? schema.optional()
					: z.undefined({ errorMap: () => ({ message: notTaken(kind) }) }),
			],
		),
	);
	const prompt = promptSchema(kind);
	return z
		.object({
			model: z.string().trim().min(1, 'is empty'),
			input: z
				.object({
					// An optional prompt is sent only when given: an empty one is left out.
					prompt: spec.promptRequired
						? prompt
						: prompt.transform((text) => (text === '' ? undefined : text)).optional(),
					...(takesMedia(kind) ? { media: mediaSchema(kind, family) } : {}),
				})
				.strict(),
			parameters: z.object(parameters).strict(),
		})
		.strict()
		.transform((request) => request as TaskRequest);
}

/** The UI names of the body's fields that are the same for every kind of task. */
const FIELD_LABELS: Record<string, string> = {
	model: 'Options → Model',
	'input.prompt': 'Prompt',
	'parameters.resolution': 'Options → Resolution',
	'parameters.ratio': 'Options → Aspect Ratio',
	'parameters.duration': 'Options → Duration (Seconds)',
	'parameters.watermark': 'Options → Watermark',
	'parameters.audio_setting': 'Options → Audio',
	'parameters.seed': 'Options → Seed',
};

/**
 * The UI name of a place in the request body, for error messages. A media entry is named by
 * its own field (`mediaFields`, in body order: 'Video URL', 'Reference Image 2 URL').
 */
export function fieldLabel(
	path: Array<string | number>,
	kind: TaskKind,
	mediaFields: readonly string[],
): string {
	const key = path.join('.');
	if (FIELD_LABELS[key]) return FIELD_LABELS[key];
	if (key === 'input.media') return TASK_KIND_SPECS[kind].mediaLabel;
	const media = /^input\.media\.(\d+)/.exec(key);
	if (media) return mediaFields[Number(media[1])] ?? key;
	return key;
}

/** JSON text as the object it holds; anything else as it is (the schema below judges it). */
function fromJsonText(value: unknown): unknown {
	if (value === undefined || value === null) return {};
	if (typeof value !== 'string') return value;
	if (value.trim() === '') return {};
	try {
		return JSON.parse(value) as unknown;
	} catch {
		return value;
	}
}

/**
 * Options → Additional Parameters: a JSON object merged into `parameters`, for fields the node
 * has no option for yet (a 1.1 model's `prompt_extend`). A key that one of the kind's own
 * options sets is refused, never silently overridden.
 */
export function additionalParametersSchema(kind: TaskKind) {
	const known = additionalSchemas.get(kind);
	if (known) return known;
	const schema = buildAdditionalParametersSchema(kind);
	additionalSchemas.set(kind, schema);
	return schema;
}

const additionalSchemas = new Map<TaskKind, ReturnType<typeof buildAdditionalParametersSchema>>();

function buildAdditionalParametersSchema(kind: TaskKind) {
	const own: readonly string[] = TASK_KIND_SPECS[kind].parameters;
	return z.preprocess(
		fromJsonText,
		z
			.record(z.unknown(), {
				invalid_type_error: 'must be a JSON object, e.g. {"prompt_extend": true}',
			})
			.superRefine((parameters, context) => {
				for (const key of Object.keys(parameters)) {
					const message = own.includes(key)
						? `sets "${key}", which ${FIELD_LABELS[`parameters.${key}`]} sets: use that option instead`
						: key in PARAMETER_SCHEMAS
							? `sets "${key}", which ${TASK_KIND_SPECS[kind].noun}s do not take: remove it`
							: undefined;
					if (message) context.addIssue({ code: z.ZodIssueCode.custom, message });
				}
			}),
	);
}

/** A setting the request sends that not every source lists for its model and endpoint. */
export interface UnconfirmedSetting {
	/** The option's UI name: 'Options → Resolution'. */
	option: string;
	value: string;
	listedFor: string;
}

const SETTING_VALUES: Record<'resolution' | 'ratio', Record<string, SettingValue | undefined>> = {
	resolution: RESOLUTION_VALUES,
	ratio: RATIO_VALUES,
};

/**
 * The settings of a request that only some sources list for its model (a 1.0 model, or any
 * model on Anyfast, which documents the older lists): sent, since no source refuses them all,
 * and named when the API answers 400 (docs/API.md, "Settings").
 */
export function unconfirmedSettings(
	request: TaskRequest,
	family: FamilyRules,
): UnconfirmedSetting[] {
	if (family.family === 'native' && isNewerModel(request.model)) return [];
	return (['resolution', 'ratio'] as const).flatMap((name) => {
		const value = request.parameters[name];
		const known = typeof value === 'string' ? SETTING_VALUES[name][value] : undefined;
		if (known?.listed !== 'newer') return [];
		return [
			{
				option: FIELD_LABELS[`parameters.${name}`],
				value: value as string,
				listedFor: known.listedFor,
			},
		];
	});
}
