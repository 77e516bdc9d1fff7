import { z } from 'zod';

import type { TaskStatus } from './task';

/**
 * Fields both families answer in more than one shape, read leniently: a task that succeeded
 * (and was billed) must never fail over the shape of a time or the case of a status.
 */

/**
 * A status in any case; one the node does not know (`QUEUING`) is a task not finished yet:
 * PENDING, so the wait goes on until the item's timeout, and a stop still tries to cancel it
 * (a cancel of a task that has started is refused, harmlessly). docs/API.md, "Statuses".
 */
export function statusSchema(known: Readonly<Record<string, TaskStatus>>) {
	return z
		.string()
		.transform((status): TaskStatus => known[status.trim().toUpperCase()] ?? 'PENDING');
}

/** Epoch numbers up to this are seconds, above it milliseconds (1e11 s is the year 5138). */
const LARGEST_EPOCH_SECONDS = 1e11;

function epochToIso(value: number): string | undefined {
	if (!Number.isFinite(value) || value <= 0) return undefined;
	const date = new Date(value > LARGEST_EPOCH_SECONDS ? value : value * 1000);
	return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

/** DashScope's wall-clock time in Beijing (UTC+8) without a zone: "2026-04-26 14:13:14.373". */
const BEIJING_WALL_CLOCK = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2}(?:\.\d+)?)$/;

function textToIso(text: string): string | undefined {
	const value = text.trim();
	if (value === '') return undefined;
	if (/^\d+(\.\d+)?$/.test(value)) return epochToIso(Number(value));
	const wallClock = BEIJING_WALL_CLOCK.exec(value);
	const date = new Date(wallClock ? `${wallClock[1]}T${wallClock[2]}+08:00` : value);
	return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

/**
 * A point in time as either family writes it (Beijing wall-clock text, epoch seconds or
 * milliseconds, as a number or as text), in ISO 8601 UTC; anything else is left out.
 */
export const apiTimeSchema = z
	.union([z.number(), z.string()])
	.nullish()
	.catch(undefined)
	.transform((value) =>
		value === null || value === undefined
			? undefined
			: typeof value === 'number'
				? epochToIso(value)
				: textToIso(value),
	);

/**
 * The usage fields the node copies into its output (docs/API.md, "Query"), the same on both
 * families (Anyfast passes DashScope's usage on), each with the other spellings answers use
 * (an SDK's camelCase, `sr`). Nothing else of an answer's `usage` is copied, so a server cannot
 * fill outputs with what it likes. Figures are numbers, even when sent as text ("720"); `ratio`
 * is text ("9:16", even "3368:3409").
 */
const USAGE_FIELDS: Record<string, { spellings: readonly string[]; text?: true }> = {
	duration: { spellings: ['duration'] },
	input_video_duration: { spellings: ['input_video_duration', 'inputVideoDuration'] },
	output_video_duration: { spellings: ['output_video_duration', 'outputVideoDuration'] },
	video_count: { spellings: ['video_count', 'videoCount'] },
	SR: { spellings: ['SR', 'sr'] },
	ratio: { spellings: ['ratio'], text: true },
	fps: { spellings: ['fps'] },
};

/** A figure as a number: a finite number, or text that holds one. */
const usageNumber = z.union([
	z.number().finite(),
	z
		.string()
		.trim()
		.regex(/^-?\d+(\.\d+)?$/)
		.transform(Number),
]);
const usageText = z.string().trim().min(1).max(32);

export const usageSchema = z
	.record(z.unknown())
	.nullish()
	.catch(undefined)
	.transform((usage) => {
		if (!usage) return undefined;
		const known: Record<string, number | string> = {};
		for (const [field, { spellings, text }] of Object.entries(USAGE_FIELDS)) {
			for (const spelling of spellings) {
				const figure = (text ? usageText : usageNumber).safeParse(usage[spelling]);
				if (!figure.success) continue;
				known[field] = figure.data;
				break;
			}
		}
		return Object.keys(known).length > 0 ? known : undefined;
	});

/**
 * Anyfast's `progress`, "50%" or 50, as a fraction 0 to 1 (docs/API.md, "Anyfast family");
 * anything else is left out.
 */
export const progressSchema = z
	.union([z.number(), z.string()])
	.nullish()
	.catch(undefined)
	.transform((value) => {
		const percent = typeof value === 'string' ? Number(value.trim().replace(/%$/, '')) : value;
		if (typeof percent !== 'number' || !Number.isFinite(percent)) return undefined;
		return percent >= 0 && percent <= 100 ? percent / 100 : undefined;
	});

/** An optional text field that some servers send as a number (an error code). */
export const lenientText = z
	.union([z.string(), z.number()])
	.nullish()
	.catch(undefined)
	.transform((value) => (value === null || value === undefined ? undefined : String(value)));

/**
 * What a task's `usage` (as usageSchema keeps it) says was billed: `duration`, the seconds of
 * video in and out, and `SR`, the resolution's short side (720 → 720P). Figures sent as text
 * are numbers by then (usageSchema); anything else is left out.
 */
export function billedUsage(usage: Record<string, unknown> | undefined): {
	seconds?: number;
	resolution?: string;
} {
	// A negative figure bills nothing.
	const figure = (value: unknown) => (typeof value === 'number' && value >= 0 ? value : undefined);
	const seconds = figure(usage?.duration);
	const shortSide = figure(usage?.SR);
	return {
		...(seconds === undefined ? {} : { seconds }),
		...(shortSide === undefined ? {} : { resolution: `${shortSide}P` }),
	};
}
