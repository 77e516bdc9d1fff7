import { z } from 'zod';

/**
 * What a task id may look like, from the API or from the user. DashScope's are uuids
 * (`0385dc79-5ff8-…`), Anyfast's `asyntask_…` (docs/API.md, "Native family", "Anyfast family");
 * the rule leaves room for other gateways' ids but not for anything that changes a URL's path
 * (`/`, `..`) or a file name built from `$json.taskId`.
 */
const TASK_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;
const DOT_SEGMENTS = new Set(['.', '..']);

const TASK_ID_RULE = '1 to 128 letters, digits, "-", "_", "." or ":", and not "." or ".."';

/** Messages quote at most this much of a text the node refuses: a 20,000-character id stays short. */
const QUOTE_LIMIT = 40;

/** A value as messages quote it: in quotes, cut short with … */
export function quoteShort(value: string): string {
	return JSON.stringify(value.length > QUOTE_LIMIT ? `${value.slice(0, QUOTE_LIMIT)}…` : value);
}

function isTaskId(value: string): boolean {
	return TASK_ID_PATTERN.test(value) && !DOT_SEGMENTS.has(value);
}

/** Why `value` is no task id, in the words of a message; undefined when it is one. */
export function taskIdProblem(value: string): string | undefined {
	return isTaskId(value) ? undefined : `${quoteShort(value)} is not a task id (${TASK_ID_RULE})`;
}

/**
 * A task id in an answer. Its issue is marked `untrusted`: asking again would not make a path
 * into an id, so the call is not retried (transport/request.ts#parseResponse).
 */
export const taskIdSchema = z.string().superRefine((value, context) => {
	const problem = taskIdProblem(value);
	if (problem) {
		context.addIssue({
			code: z.ZodIssueCode.custom,
			message: problem,
			params: { untrusted: true },
		});
	}
});
