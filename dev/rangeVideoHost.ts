/**
 * A video host on 127.0.0.1 that answers byte-range GETs (RFC 9110: `bytes=a-b`, `bytes=a-`,
 * `bytes=-n`) of the files it holds, and misbehaves on purpose on other paths: the input videos
 * whose length the node reads before it pays (media/videoLength.ts). Every GET is recorded with
 * the bytes sent, so tests and the bench can count what one probe cost.
 */
import { readFileSync } from 'node:fs';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

import { mediaFixture } from './paths';

export interface RangeHostRequest {
	path: string;
	range: string | undefined;
	authorization: string | undefined;
	/** Body bytes written before the client went away or the answer ended. */
	bytesSent: number;
}

/** The top-level boxes of an MP4, as [type, bytes]. */
function topLevelBoxes(file: Buffer): Array<[string, Buffer]> {
	const boxes: Array<[string, Buffer]> = [];
	for (let offset = 0; offset + 8 <= file.length;) {
		const size = file.readUInt32BE(offset);
		if (size < 8) break;
		boxes.push([
			file.toString('latin1', offset + 4, offset + 8),
			file.subarray(offset, offset + size),
		]);
		offset += size;
	}
	return boxes;
}

/**
 * The 4 s test clip (test/fixtures/media/good.mp4) rebuilt around a media data box of
 * `mdatBytes`: its moov before the media data ("fast start") or after it, with a `free` box of
 * `freeBytes` right before moov. Only the header is
 * real: it is enough for anything that reads the length, not for a player.
 */
export function paddedClip(moovAt: 'start' | 'end', mdatBytes: number, freeBytes = 0): Buffer {
	const boxes = topLevelBoxes(readFileSync(mediaFixture('good.mp4')));
	const ftyp = boxes.find(([type]) => type === 'ftyp')![1];
	const moov = boxes.find(([type]) => type === 'moov')![1];
	const box = (type: string, size: number) => {
		const bytes = Buffer.alloc(size, 0x11);
		bytes.writeUInt32BE(size, 0);
		bytes.write(type, 4, 'latin1');
		return bytes;
	};
	const mdat = box('mdat', mdatBytes);
	// A `free` box before moov, as some cameras and editors write (XMP, padding).
	const free = freeBytes > 0 ? [box('free', freeBytes)] : [];
	return Buffer.concat(
		moovAt === 'start' ? [ftyp, ...free, moov, mdat] : [ftyp, mdat, ...free, moov],
	);
}

export class RangeVideoHost {
	/** Every GET, in order. */
	readonly requests: RangeHostRequest[] = [];
	private readonly files = new Map<string, Buffer>();
	private server: Server | undefined;
	private readonly open = new Set<ServerResponse>();

	get origin(): string {
		const { port } = this.server!.address() as AddressInfo;
		return `http://127.0.0.1:${port}`;
	}

	/** Serves `bytes` at `path` with range support; returns its URL. */
	put(path: string, bytes: Buffer): string {
		this.files.set(path, bytes);
		return `${this.origin}${path}`;
	}

	requestsOf(path: string): RangeHostRequest[] {
		return this.requests.filter((request) => request.path === path);
	}

	reset(): void {
		this.requests.length = 0;
		this.files.clear();
	}

	async start(): Promise<void> {
		this.server = createServer((req, res) => this.handle(req, res));
		await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
	}

	async stop(): Promise<void> {
		for (const res of this.open) res.destroy();
		await new Promise<void>((resolve) => this.server?.close(() => resolve()));
	}

	private handle(req: IncomingMessage, res: ServerResponse): void {
		const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
		const seen: RangeHostRequest = {
			path,
			range: req.headers.range,
			authorization: req.headers.authorization,
			bytesSent: 0,
		};
		this.requests.push(seen);
		this.open.add(res);
		res.on('close', () => this.open.delete(res));
		const file = this.files.get(path);
		if (file) {
			this.sendRange(req, res, seen, file);
			return;
		}
		const [, kind] = path.split('/');
		switch (kind) {
			case 'huge-no-range':
				// Ignores Range: 200 with a 2 GiB length, an MP4 start, then bytes without end.
				res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': '2147483648' });
				this.pump(res, seen, paddedClip('end', 64 * 1024).subarray(0, 32), Infinity);
				return;
			case 'endless':
				// Chunked, no length, never ending.
				res.writeHead(200, { 'content-type': 'video/mp4' });
				this.pump(res, seen, paddedClip('end', 64 * 1024).subarray(0, 32), Infinity);
				return;
			case 'loop':
				res.writeHead(302, { location: path.endsWith('/a') ? '/loop/b' : '/loop/a' });
				res.end();
				return;
			case 'html':
				res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
				res.end('<!DOCTYPE html>\n<html><head><title>Sign in</title></head><body>…</body></html>');
				return;
			case 'silent':
				// Headers, then nothing: only the node's deadline ends it.
				res.writeHead(206, {
					'content-type': 'video/mp4',
					'content-range': 'bytes 0-262143/9999999',
				});
				res.flushHeaders();
				return;
			default:
				res.writeHead(404);
				res.end();
		}
	}

	private sendRange(
		req: IncomingMessage,
		res: ServerResponse,
		seen: RangeHostRequest,
		file: Buffer,
	): void {
		const match = /^bytes=(\d*)-(\d*)$/.exec(req.headers.range ?? '');
		if (!match || (match[1] === '' && match[2] === '')) {
			res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': file.length });
			seen.bytesSent = file.length;
			res.end(file);
			return;
		}
		let start: number;
		let end: number;
		if (match[1] === '') {
			start = Math.max(0, file.length - Number(match[2]));
			end = file.length - 1;
		} else {
			start = Number(match[1]);
			end = match[2] === '' ? file.length - 1 : Math.min(Number(match[2]), file.length - 1);
		}
		if (start >= file.length || start > end) {
			res.writeHead(416, { 'content-range': `bytes */${file.length}` });
			res.end();
			return;
		}
		const body = file.subarray(start, end + 1);
		res.writeHead(206, {
			'content-type': 'video/mp4',
			'content-length': body.length,
			'content-range': `bytes ${start}-${end}/${file.length}`,
		});
		seen.bytesSent = body.length;
		res.end(body);
	}

	/** Writes `head`, then filler in 64 KiB chunks up to `total`, honouring back-pressure. */
	private pump(res: ServerResponse, seen: RangeHostRequest, head: Buffer, total: number): void {
		const chunk = Buffer.alloc(64 * 1024, 0x5a);
		head.copy(chunk);
		const write = (): void => {
			while (seen.bytesSent < total && !res.destroyed) {
				seen.bytesSent += chunk.length;
				if (!res.write(chunk)) {
					res.once('drain', write);
					return;
				}
			}
			if (!res.destroyed) res.end();
		};
		write();
	}
}
