import { randomBytes } from 'node:crypto';

import type { HappyHorseEmulator } from '../dev/emulator';
import { median, withEmulator } from './polling';

/**
 * Whether a picture for references to video should go inline (a data: URI in the submit) or
 * through DashScope's temporary upload (getPolicy + a multipart POST to the OSS host, then the
 * submit with its oss:// URL). Measured on loopback against the emulator, which serves both
 * paths; loopback hides the network, so the figures are also put through a stated model of a
 * real link (docs/OPERATIONS.md, "Files in and out"; the decision is pipeline/prepare.ts's
 * INLINE_WITH_UPLOAD_MAX_BYTES).
 */

const MODEL = 'happyhorse-1.0-r2v';
const PROMPT = 'The woman from [Image 1] walks along a windy beach';
/** The picture sizes measured: a thumbnail, a web picture, a phone photo, a large photo. */
export const PICTURE_SIZES = [50_000, 500_000, 2_000_000, 10_000_000];
const RUNS = 7;

/** A real link: round trip to Alibaba from Europe or the US, and two upload bandwidths. */
export const LINK_MODELS = [
	{ name: '150 ms, 10 Mbit/s', rttMs: 150, bytesPerSecond: 1_250_000 },
	{ name: '300 ms, 10 Mbit/s', rttMs: 300, bytesPerSecond: 1_250_000 },
	{ name: '150 ms, 2 Mbit/s', rttMs: 150, bytesPerSecond: 250_000 },
	{ name: '150 ms, 100 Mbit/s', rttMs: 150, bytesPerSecond: 12_500_000 },
];

/**
 * Round trips the upload path adds before the submit: getPolicy on the API's open connection
 * (1), then the OSS host, another host: TCP (1) + TLS 1.3 (1) + the POST and its answer (1).
 */
const UPLOAD_EXTRA_ROUND_TRIPS = 4;

interface PathFigures {
	ms: number;
	bytes: number;
	requests: number;
}

export interface InlineFigure {
	size: number;
	upload: PathFigures;
	inline: PathFigures;
}

/** A picture of `size` bytes: a PNG signature, then bytes that do not compress. */
function picture(size: number): Buffer {
	const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
	return Buffer.concat([signature, randomBytes(size - signature.length)]);
}

async function submit(emulator: HappyHorseEmulator, url: string, oss: boolean): Promise<number> {
	const body = JSON.stringify({
		model: MODEL,
		input: { prompt: PROMPT, media: [{ type: 'reference_image', url }] },
		parameters: {},
	});
	const response = await fetch(
		`${emulator.nativeBaseUrl}/services/aigc/video-generation/video-synthesis`,
		{
			method: 'POST',
			headers: {
				Authorization: `Bearer ${emulator.apiKey}`,
				'Content-Type': 'application/json',
				'X-DashScope-Async': 'enable',
				...(oss ? { 'X-DashScope-OssResourceResolve': 'enable' } : {}),
			},
			body,
		},
	);
	if (response.status !== 200) throw new Error(`submit: HTTP ${response.status}`);
	await response.json();
	return Buffer.byteLength(body);
}

/** getPolicy, the multipart POST (the policy's fields, the file last), then the submit. */
async function uploadPath(emulator: HappyHorseEmulator, bytes: Buffer): Promise<PathFigures> {
	const started = performance.now();
	const policyResponse = await fetch(
		`${emulator.nativeBaseUrl}/uploads?action=getPolicy&model=${MODEL}`,
		{ headers: { Authorization: `Bearer ${emulator.apiKey}` } },
	);
	const { data: policy } = (await policyResponse.json()) as { data: Record<string, string> };
	const key = `${policy.upload_dir}/picture-${randomBytes(4).toString('hex')}.png`;
	const form = new FormData();
	form.append('OSSAccessKeyId', policy.oss_access_key_id);
	form.append('Signature', policy.signature);
	form.append('policy', policy.policy);
	form.append('key', key);
	form.append('x-oss-object-acl', policy.x_oss_object_acl);
	form.append('x-oss-forbid-overwrite', policy.x_oss_forbid_overwrite);
	form.append('success_action_status', '200');
	form.append('file', new Blob([new Uint8Array(bytes)], { type: 'image/png' }), 'picture.png');
	const multipart = new Request(policy.upload_host, { method: 'POST', body: form });
	const multipartBody = Buffer.from(await multipart.arrayBuffer());
	const uploaded = await fetch(policy.upload_host, {
		method: 'POST',
		headers: { 'Content-Type': multipart.headers.get('content-type') ?? '' },
		body: multipartBody,
	});
	if (uploaded.status !== 200) throw new Error(`upload: HTTP ${uploaded.status}`);
	await uploaded.arrayBuffer();
	const submitBytes = await submit(emulator, `oss://${key}`, true);
	return {
		ms: performance.now() - started,
		bytes: multipartBody.length + submitBytes,
		requests: 3,
	};
}

/** One submit with the picture in it as a data: URI (encoding included). */
async function inlinePath(emulator: HappyHorseEmulator, bytes: Buffer): Promise<PathFigures> {
	const started = performance.now();
	const submitBytes = await submit(
		emulator,
		`data:image/png;base64,${bytes.toString('base64')}`,
		false,
	);
	return { ms: performance.now() - started, bytes: submitBytes, requests: 1 };
}

/** Each size, both paths, alternating, RUNS times; the median time of each. */
export async function benchInlineImages(): Promise<InlineFigure[]> {
	return await withEmulator(async (emulator) => {
		const figures: InlineFigure[] = [];
		for (const size of PICTURE_SIZES) {
			const bytes = picture(size);
			const upload: PathFigures[] = [];
			const inline: PathFigures[] = [];
			// One warm-up of each, then the runs.
			await uploadPath(emulator, bytes);
			await inlinePath(emulator, bytes);
			for (let run = 0; run < RUNS; run++) {
				upload.push(await uploadPath(emulator, bytes));
				inline.push(await inlinePath(emulator, bytes));
			}
			const middle = (paths: PathFigures[]): PathFigures => ({
				...paths[0],
				ms: median(paths.map((path) => path.ms)),
			});
			figures.push({ size, upload: middle(upload), inline: middle(inline) });
		}
		return figures;
	});
}

/**
 * What a real link adds to each path, from the measured bytes: the upload path its extra round
 * trips and its bytes, the inline path its (4/3 larger) bytes. Loopback time is added to both.
 */
export function onLink(
	figure: InlineFigure,
	link: (typeof LINK_MODELS)[number],
): { uploadMs: number; inlineMs: number } {
	const transfer = (bytes: number) => (bytes / link.bytesPerSecond) * 1000;
	return {
		uploadMs:
			figure.upload.ms +
			(UPLOAD_EXTRA_ROUND_TRIPS + 1) * link.rttMs +
			transfer(figure.upload.bytes),
		inlineMs: figure.inline.ms + link.rttMs + transfer(figure.inline.bytes),
	};
}

/** The size under which inline is faster on a link: 4 round trips against a third more bytes. */
export function breakEvenBytes(link: (typeof LINK_MODELS)[number]): number {
	return ((UPLOAD_EXTRA_ROUND_TRIPS * link.rttMs) / 1000) * link.bytesPerSecond * 3;
}

/** `node .build/bench/inlineImages.js`: this measurement alone, printed as a table. */
async function main(): Promise<void> {
	const log = (line: string) => process.stdout.write(`${line}\n`);
	const figures = await benchInlineImages();
	const kb = (bytes: number) => `${Math.round(bytes / 1000)} kB`;
	log('picture | upload path: ms, bytes (3 requests) | inline: ms, bytes (1 request)');
	for (const { size, upload, inline } of figures) {
		log(
			`${kb(size)} | ${upload.ms.toFixed(1)} ms, ${kb(upload.bytes)} | ${inline.ms.toFixed(1)} ms, ${kb(inline.bytes)}`,
		);
	}
	for (const link of LINK_MODELS) {
		const line = figures.map((figure) => {
			const { uploadMs, inlineMs } = onLink(figure, link);
			return `${kb(figure.size)}: ${(uploadMs / 1000).toFixed(2)} s vs ${(inlineMs / 1000).toFixed(2)} s`;
		});
		log(
			`${link.name} (upload vs inline): ${line.join(' · ')}; break-even ${kb(breakEvenBytes(link))}`,
		);
	}
}

if (require.main === module) {
	main().catch((error: unknown) => {
		process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
		process.exit(1);
	});
}
