/**
 * What a submit must hold, model by model and family by family (docs/API.md, "Native family",
 * "Anyfast family", "Models", "Limits"). As the real APIs, the emulator is strict: a field the
 * model does not take is refused with a message that names it.
 */
import { OSS_URL_SCHEME } from './ossUpload';
import type { Family } from './types';

export type TaskKind = 'videoEdit' | 'textToVideo' | 'imageToVideo' | 'referenceToVideo';

/** What is wrong with a submit: the code the native family answers with, and a message. */
export interface SubmitProblem {
	code: 'InvalidParameter' | 'ModelNotFound';
	message: string;
}

interface ModelRule {
	kind: TaskKind;
	version: '1.0' | '1.1';
}

const MODELS: Record<string, ModelRule> = {
	'happyhorse-1.0-video-edit': { kind: 'videoEdit', version: '1.0' },
	'happyhorse-1.0-t2v': { kind: 'textToVideo', version: '1.0' },
	'happyhorse-1.1-t2v': { kind: 'textToVideo', version: '1.1' },
	'happyhorse-1.0-i2v': { kind: 'imageToVideo', version: '1.0' },
	'happyhorse-1.1-i2v': { kind: 'imageToVideo', version: '1.1' },
	'happyhorse-1.0-r2v': { kind: 'referenceToVideo', version: '1.0' },
	'happyhorse-1.1-r2v': { kind: 'referenceToVideo', version: '1.1' },
};

/** How many media items of one type a body carries. */
interface MediaRule {
	type: string;
	min: number;
	max: number;
	/**
	 * Takes a picture inline as `data:image/…;base64,…`: only references to video's images on
	 * DashScope, as its reference says (docs/API.md, "Pictures inline").
	 */
	inline?: true;
}

const DATA_URI = /^data:image\/(?:jpeg|png|webp);base64,[A-Za-z0-9+/]+={0,2}$/;

interface KindRule {
	/** Required: a non-empty string; otherwise an optional string. */
	promptRequired: boolean;
	/** `input.media` of the native body; absent: the kind takes no `input.media`. */
	media?: MediaRule[];
	parameters: string[];
	/**
	 * Anyfast: the native body with its own media counts, or the flat body
	 * `{model, prompt, parameters}` with the image field this kind adds (one URL, or a list).
	 */
	anyfast:
		| { body: 'native'; media: MediaRule[] }
		| { body: 'flat'; image?: { field: 'image' } | { field: 'images'; min: number; max: number } };
}

const GENERATION_PARAMETERS = ['resolution', 'ratio', 'duration', 'watermark', 'seed'];

const KINDS: Record<TaskKind, KindRule> = {
	videoEdit: {
		promptRequired: true,
		media: [
			{ type: 'video', min: 1, max: 1 },
			{ type: 'reference_image', min: 0, max: 5 },
		],
		parameters: ['resolution', 'watermark', 'audio_setting', 'seed'],
		anyfast: {
			body: 'native',
			media: [
				{ type: 'video', min: 1, max: 1 },
				{ type: 'reference_image', min: 1, max: 1 },
			],
		},
	},
	textToVideo: {
		promptRequired: true,
		parameters: GENERATION_PARAMETERS,
		anyfast: { body: 'flat' },
	},
	imageToVideo: {
		promptRequired: false,
		media: [{ type: 'first_frame', min: 1, max: 1 }],
		// No ratio: the output follows the image.
		parameters: ['resolution', 'duration', 'watermark', 'seed'],
		anyfast: { body: 'flat', image: { field: 'image' } },
	},
	referenceToVideo: {
		promptRequired: true,
		media: [{ type: 'reference_image', min: 1, max: 9, inline: true }],
		parameters: GENERATION_PARAMETERS,
		anyfast: { body: 'flat', image: { field: 'images', min: 1, max: 3 } },
	},
};

/** The fields gateways report for the 1.1 models (docs/API.md, "Models"). */
const V1_1_PARAMETERS = ['prompt_extend', 'negative_prompt', 'audio'];

const SEED_MAX = 2147483647;

function isRecord(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function oneOf(values: string[]): (value: unknown) => string | undefined {
	return (value) =>
		typeof value === 'string' && values.includes(value)
			? undefined
			: `must be one of ${values.join(', ')}, got ${JSON.stringify(value)}`;
}

function integerFrom(min: number, max: number): (value: unknown) => string | undefined {
	return (value) =>
		Number.isInteger(value) && (value as number) >= min && (value as number) <= max
			? undefined
			: `must be an integer from ${min} to ${max}, got ${JSON.stringify(value)}`;
}

function ofType(type: 'boolean' | 'string'): (value: unknown) => string | undefined {
	return (value) =>
		typeof value === type ? undefined : `must be a ${type}, got ${JSON.stringify(value)}`;
}

/**
 * Resolutions and ratios: the sources disagree (docs/API.md, "Settings"), and the emulator follows
 * one reading. DashScope: 480P for the 1.1 models only, as Alibaba's price lists show it (a 1.0
 * model answers 400 InvalidParameter); the nine ratios of the current official
 * references-to-video reference for every model that takes a ratio. Anyfast: its own guides,
 * 720P/1080P and five ratios.
 */
const OLDER_RESOLUTIONS = ['720P', '1080P'];
const OLDER_RATIOS = ['16:9', '9:16', '1:1', '4:3', '3:4'];
const SETTING_LISTS: Record<
	Family,
	Record<'1.0' | '1.1', { resolution: string[]; ratio: string[] }>
> = {
	native: {
		'1.0': {
			resolution: OLDER_RESOLUTIONS,
			ratio: [...OLDER_RATIOS, '4:5', '5:4', '9:21', '21:9'],
		},
		'1.1': {
			resolution: ['480P', ...OLDER_RESOLUTIONS],
			ratio: [...OLDER_RATIOS, '4:5', '5:4', '9:21', '21:9'],
		},
	},
	anyfast: {
		'1.0': { resolution: OLDER_RESOLUTIONS, ratio: OLDER_RATIOS },
		'1.1': { resolution: OLDER_RESOLUTIONS, ratio: OLDER_RATIOS },
	},
};

/** What each parameter may hold (docs/API.md, "Limits"); resolution and ratio: SETTING_LISTS. */
const PARAMETER_CHECKS: Record<string, (value: unknown) => string | undefined> = {
	duration: integerFrom(3, 15),
	watermark: ofType('boolean'),
	seed: integerFrom(0, SEED_MAX),
	audio_setting: oneOf(['auto', 'origin']),
	prompt_extend: ofType('boolean'),
	negative_prompt: ofType('string'),
	audio: ofType('boolean'),
};

/** The kind of task a model makes, undefined for a model the API does not know. */
export function kindOfModel(model: string): TaskKind | undefined {
	return MODELS[model]?.kind;
}

function invalid(message: string): SubmitProblem {
	return { code: 'InvalidParameter', message };
}

/** The first field of `record` not in `allowed`, as `prefix + name`. */
function unknownField(
	record: Record<string, unknown>,
	allowed: string[],
	prefix: string,
): string | undefined {
	const name = Object.keys(record).find((key) => !allowed.includes(key));
	return name === undefined ? undefined : `${prefix}${name}`;
}

function checkPrompt(prompt: unknown, rule: KindRule, field: string): string | undefined {
	if (rule.promptRequired) {
		return typeof prompt === 'string' && prompt !== ''
			? undefined
			: `Field required: ${field} (a non-empty string)`;
	}
	return prompt === undefined || typeof prompt === 'string'
		? undefined
		: `${field} must be a string`;
}

function checkParameters(
	body: Record<string, unknown>,
	model: string,
	family: Family,
): string | undefined {
	const { kind, version } = MODELS[model];
	if (body.parameters === undefined) return undefined;
	if (!isRecord(body.parameters)) return 'parameters must be an object';
	const allowed = [...KINDS[kind].parameters, ...(version === '1.1' ? V1_1_PARAMETERS : [])];
	const extra = unknownField(body.parameters, allowed, 'parameters.');
	if (extra !== undefined) return `${extra} is not supported by ${model}`;
	for (const [name, value] of Object.entries(body.parameters)) {
		if (name === 'resolution' || name === 'ratio') {
			const problem = oneOf(SETTING_LISTS[family][version][name])(value);
			if (problem !== undefined) return `parameters.${name} ${problem} for ${model}`;
			continue;
		}
		const problem = PARAMETER_CHECKS[name](value);
		if (problem !== undefined) return `parameters.${name} ${problem}`;
	}
	return undefined;
}

/** `input.media` of a native body (also video edit's on Anyfast), item by item, then counts. */
function checkMedia(media: unknown, rules: MediaRule[], family: Family): string | undefined {
	if (!Array.isArray(media)) return 'Field required: input.media (an array)';
	const types = rules.map((rule) => rule.type);
	const counts = new Map<string, number>(types.map((type) => [type, 0]));
	for (const [index, item] of media.entries()) {
		if (!isRecord(item)) return `input.media[${index}] must be an object`;
		if (typeof item.type !== 'string' || !counts.has(item.type)) {
			return `input.media[${index}].type must be ${types.map((type) => `"${type}"`).join(' or ')}`;
		}
		counts.set(item.type, (counts.get(item.type) ?? 0) + 1);
		if (typeof item.url !== 'string' || item.url === '') {
			return `input.media[${index}].url must be a non-empty string`;
		}
		if (item.url.startsWith('data:')) {
			const inline = family === 'native' && rules.find((rule) => rule.type === item.type)?.inline;
			if (!inline) return `input.media[${index}].url must be a URL, data: is not supported here`;
			if (!DATA_URI.test(item.url)) {
				return `input.media[${index}].url must be data:image/jpeg, image/png or image/webp;base64,…`;
			}
		}
		if (family === 'anyfast' && item.url.startsWith(OSS_URL_SCHEME)) {
			// The gateway's upstream account cannot read another account's temporary files.
			return `input.media[${index}].url must be an http(s) URL, oss:// is not supported`;
		}
		const extra = unknownField(item, ['type', 'url'], `input.media[${index}].`);
		if (extra !== undefined) return `${extra} is not supported`;
	}
	for (const { type, min, max } of rules) {
		const count = counts.get(type) ?? 0;
		const items = (n: number) => `${n} item${n === 1 ? '' : 's'} of type ${type}`;
		if (min === max && count !== min) {
			return `input.media must contain exactly ${items(min)}, got ${count}`;
		}
		if (count > max) return `input.media may contain at most ${items(max)}, got ${count}`;
		if (count < min) return `input.media must contain at least ${items(min)}, got ${count}`;
	}
	return undefined;
}

/** The native body `{model, input: {prompt, media}, parameters}`. */
function checkNativeBody(
	body: Record<string, unknown>,
	model: string,
	family: Family,
): string | undefined {
	const rule = KINDS[MODELS[model].kind];
	const extra = unknownField(body, ['model', 'input', 'parameters'], '');
	if (extra !== undefined) return `${extra} is not supported by ${model}`;
	const input = body.input;
	if (!isRecord(input)) return 'Field required: input';
	const allowedInput = rule.media ? ['prompt', 'media'] : ['prompt'];
	const extraInput = unknownField(input, allowedInput, 'input.');
	if (extraInput !== undefined) return `${extraInput} is not supported by ${model}`;
	const promptProblem = checkPrompt(input.prompt, rule, 'input.prompt');
	if (promptProblem !== undefined) return promptProblem;
	const media =
		family === 'anyfast' && rule.anyfast.body === 'native' ? rule.anyfast.media : rule.media;
	const mediaProblem = media ? checkMedia(input.media, media, family) : undefined;
	return mediaProblem ?? checkParameters(body, model, family);
}

function httpUrlProblem(url: unknown, field: string): string | undefined {
	if (typeof url !== 'string' || url === '') return `${field} must be a non-empty URL string`;
	if (url.startsWith(OSS_URL_SCHEME)) {
		return `${field} must be an http(s) URL, oss:// is not supported`;
	}
	return /^https?:\/\//.test(url) ? undefined : `${field} must be an http(s) URL`;
}

/** Anyfast's flat body `{model, prompt, parameters}`, plus `image` or `images`. */
function checkFlatBody(body: Record<string, unknown>, model: string): string | undefined {
	const rule = KINDS[MODELS[model].kind];
	if (rule.anyfast.body !== 'flat') return undefined;
	const image = rule.anyfast.image;
	const allowed = ['model', 'prompt', 'parameters', ...(image ? [image.field] : [])];
	for (const nativeField of ['input', 'media']) {
		if (body[nativeField] !== undefined) {
			const flat = allowed.map((field) => `"${field}"`).join(', ');
			return `${nativeField} is not supported by ${model} on this gateway: send the flat body {${flat}}`;
		}
	}
	const extra = unknownField(body, allowed, '');
	if (extra !== undefined) return `${extra} is not supported by ${model}`;
	const promptProblem = checkPrompt(body.prompt, rule, 'prompt');
	if (promptProblem !== undefined) return promptProblem;
	if (image?.field === 'image') {
		if (body.image === undefined) return 'Field required: image (one URL string)';
		if (Array.isArray(body.image)) return 'image must be one URL string, not a list';
		const problem = httpUrlProblem(body.image, 'image');
		if (problem !== undefined) return problem;
	} else if (image?.field === 'images') {
		if (!Array.isArray(body.images)) return 'Field required: images (an array of URL strings)';
		const count = body.images.length;
		if (count < image.min) return `images must contain at least ${image.min} URL, got ${count}`;
		if (count > image.max) return `images may contain at most ${image.max} URLs, got ${count}`;
		for (const [index, url] of body.images.entries()) {
			const problem = httpUrlProblem(url, `images[${index}]`);
			if (problem !== undefined) return problem;
		}
	}
	return checkParameters(body, model, 'anyfast');
}

/** What is wrong with a submit body, or undefined when this family's API would take it. */
export function checkSubmitBody(body: unknown, family: Family): SubmitProblem | undefined {
	if (!isRecord(body)) return invalid('The request body must be a JSON object.');
	const model = body.model;
	if (typeof model !== 'string' || model === '') return invalid('Field required: model');
	const rule = MODELS[model];
	if (family === 'anyfast' && rule?.version !== '1.0') {
		// docs/API.md, "Anyfast family": the gateway documents no 1.1 models.
		return { code: 'ModelNotFound', message: `The gateway does not offer the model ${model}.` };
	}
	if (!rule) return { code: 'ModelNotFound', message: `The model ${model} does not exist.` };
	const problem =
		family === 'anyfast' && KINDS[rule.kind].anyfast.body === 'flat'
			? checkFlatBody(body, model)
			: checkNativeBody(body, model, family);
	return problem === undefined ? undefined : invalid(problem);
}
