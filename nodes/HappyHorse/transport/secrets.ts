import type { NodeContext } from './context';

/** What stands in a text where the API key was. */
const REDACTED = '[redacted]';

/**
 * Shorter keys are not searched for: replacing every "k" of an answer would garble it, and no
 * real key (DashScope `sk-…`, Anyfast `sk-…`) is this short.
 */
const MIN_SECRET_LENGTH = 6;

type Redact = (text: string) => string;

/** The key as a server may echo it: as sent, percent-encoded, or escaped inside JSON text. */
function spellings(secret: string): string[] {
	const forms = new Set([secret, encodeURIComponent(secret), JSON.stringify(secret).slice(1, -1)]);
	return [...forms].filter((form) => form.length >= MIN_SECRET_LENGTH);
}

function redactorOf(secrets: string[]): Redact {
	const forms = secrets.flatMap(spellings).sort((a, b) => b.length - a.length);
	if (forms.length === 0) return (text) => text;
	// Most texts hold no key: looking is cheaper than splitting every text (bench/overhead.ts).
	return (text) =>
		forms.reduce(
			(result, form) => (result.includes(form) ? result.split(form).join(REDACTED) : result),
			text,
		);
}

/** One redactor per execution: the credential is read once, not for every call. */
const redactors = new WeakMap<object, Redact>();

/**
 * Makes the redactor of this execution's API key ready; every answer of the API passes through
 * it (transport/request.ts), so an echoed key never reaches a message, a description, the
 * execution data, n8n's log or an output.
 */
export async function prepareRedaction(
	ctx: NodeContext,
	readApiKey: () => Promise<unknown>,
): Promise<void> {
	if (redactors.has(ctx)) return;
	const key = await readApiKey();
	redactors.set(ctx, redactorOf(typeof key === 'string' ? [key] : []));
}

/** Whether this execution's redactor is ready: the calls after the first need not wait. */
export function isRedactionReady(ctx: NodeContext): boolean {
	return redactors.has(ctx);
}

/** `text` without the API key of this execution (as far as prepareRedaction has learnt it). */
export function redactSecrets(ctx: NodeContext, text: string): string {
	return (redactors.get(ctx) ?? ((value: string) => value))(text);
}
