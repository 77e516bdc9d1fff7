import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

import { ftypBox } from '../../dev/emulator';

/**
 * A video host that misbehaves on purpose, byte by byte: the result URL of an emulated task
 * points here (TaskScript.videoUrl). Every GET is counted per path.
 */
export class HostileVideoHost {
	private server: Server | undefined;
	private readonly open = new Set<ServerResponse>();
	/** GETs received, by path. */
	readonly hits = new Map<string, number>();
	/** Bytes written per path, so a test can see the node stopped reading. */
	readonly bytesSent = new Map<string, number>();

	get origin(): string {
		const { port } = this.server!.address() as AddressInfo;
		return `http://127.0.0.1:${port}`;
	}

	url(path: string): string {
		return `${this.origin}${path}`;
	}

	hitsOf(path: string): number {
		return this.hits.get(path) ?? 0;
	}

	async start(): Promise<void> {
		this.server = createServer((req, res) => this.handle(req, res));
		await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
	}

	async stop(): Promise<void> {
		for (const res of this.open) res.destroy();
		await new Promise<void>((resolve) => this.server?.close(() => resolve()));
	}

	reset(): void {
		this.hits.clear();
		this.bytesSent.clear();
	}

	private count(path: string, bytes: number): void {
		this.bytesSent.set(path, (this.bytesSent.get(path) ?? 0) + bytes);
	}

	private handle(req: IncomingMessage, res: ServerResponse): void {
		const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
		this.hits.set(path, this.hitsOf(path) + 1);
		this.open.add(res);
		res.on('close', () => this.open.delete(res));
		const [, kind, argument] = path.split('/');
		switch (kind) {
			case 'endless':
				// Chunked, MP4-looking, never ending: only the node's cap ends it.
				res.writeHead(200, { 'content-type': 'video/mp4' });
				this.pump(res, path, Infinity);
				return;
			case 'huge':
				// Claims 2 GiB; sends a little, then nothing.
				res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': '2147483648' });
				res.write(ftypBox());
				return;
			case 'bytes':
				// Exactly this many MP4-looking bytes, chunked (no Content-Length).
				res.writeHead(200, { 'content-type': 'video/mp4' });
				this.pump(res, path, Math.floor(Number(argument)));
				return;
			case 'trickle':
				// A good start, then one byte every 100 ms: never idle long enough to time out.
				res.writeHead(200, { 'content-type': 'video/mp4' });
				res.write(ftypBox());
				this.trickle(res, path);
				return;
			case 'html':
				res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
				res.end('<!DOCTYPE html>\n<html><head><title>Sign in</title></head><body>…</body></html>');
				return;
			case 'redirect':
				res.writeHead(302, { location: decodeURIComponent(argument) });
				res.end();
				return;
			case 'loop':
				res.writeHead(302, { location: argument === 'a' ? '/loop/b' : '/loop/a' });
				res.end();
				return;
			case 'status':
				res.writeHead(Number(argument), { 'content-type': 'application/xml' });
				res.end('<Error><Code>AccessDenied</Code></Error>');
				return;
			default:
				res.writeHead(404);
				res.end();
		}
	}

	/** Writes MP4-looking bytes in 64 KiB chunks, honouring back-pressure, up to `total`. */
	private pump(res: ServerResponse, path: string, total: number): void {
		const head = ftypBox();
		const chunk = Buffer.alloc(64 * 1024, 0x5a);
		head.copy(chunk);
		let sent = 0;
		const write = (): void => {
			while (sent < total && !res.destroyed) {
				const piece = chunk.subarray(0, Math.min(chunk.length, total - sent));
				sent += piece.length;
				this.count(path, piece.length);
				if (!res.write(piece)) {
					res.once('drain', write);
					return;
				}
			}
			if (!res.destroyed) res.end();
		};
		write();
	}

	private trickle(res: ServerResponse, path: string): void {
		const timer = setInterval(() => {
			if (res.destroyed) {
				clearInterval(timer);
				return;
			}
			this.count(path, 1);
			res.write('z');
		}, 100);
		res.on('close', () => clearInterval(timer));
	}
}

/** One hostile host per test file, reset before each test. */
export function useHostileVideoHost(): HostileVideoHost {
	const host = new HostileVideoHost();
	beforeAll(async () => await host.start());
	afterAll(async () => await host.stop());
	beforeEach(() => host.reset());
	return host;
}
