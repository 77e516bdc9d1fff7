/**
 * Reading requests and writing answers, in the shapes both API families share: their error
 * bodies and how each writes a point in time.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

// DashScope reports wall-clock times in Beijing time without a zone suffix.
export const BEIJING_OFFSET_MS = 8 * 60 * 60 * 1000;

function pad(value: number, width = 2): string {
	return String(value).padStart(width, '0');
}

/** `YYYY-MM-DD HH:mm:ss.SSS` in Beijing wall-clock time. */
export function formatBeijingTime(epochMs: number): string {
	const d = new Date(epochMs + BEIJING_OFFSET_MS);
	const date = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
	const time = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
	return `${date} ${time}.${pad(d.getUTCMilliseconds(), 3)}`;
}

export function epochSeconds(epochMs: number | undefined): number {
	return epochMs === undefined ? 0 : Math.floor(epochMs / 1000);
}

export function readBody(req: IncomingMessage): Promise<Buffer> {
	return new Promise((resolve, reject) => {
		const chunks: Buffer[] = [];
		req.on('data', (chunk: Buffer) => chunks.push(chunk));
		req.on('end', () => resolve(Buffer.concat(chunks)));
		req.on('error', reject);
	});
}

export function recordHeaders(req: IncomingMessage): Record<string, string> {
	const headers: Record<string, string> = {};
	for (const [name, values] of Object.entries(req.headersDistinct)) {
		if (values) headers[name] = values.join(', ');
	}
	return headers;
}

export function parseJson(text: string): unknown {
	if (text === '') return undefined;
	try {
		return JSON.parse(text) as unknown;
	} catch {
		return undefined;
	}
}

export function send(
	res: ServerResponse,
	status: number,
	payload: string | Buffer,
	headers: Record<string, string>,
): void {
	// A slow answer may outlive its client (timeout) or the server (stop()): nothing to write to.
	if (res.destroyed || res.writableEnded) return;
	res.statusCode = status;
	res.setHeader('content-length', Buffer.byteLength(payload));
	for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
	res.end(payload);
}

export function sendJson(
	res: ServerResponse,
	status: number,
	body: unknown,
	headers: Record<string, string> = {},
): void {
	send(res, status, JSON.stringify(body), { 'content-type': 'application/json', ...headers });
}

export function nativeError(code: string, message: string): Record<string, string> {
	return { code, message, request_id: randomUUID() };
}

export function anyfastError(message: string, type: string, code: string): object {
	return { error: { message, type, code } };
}
