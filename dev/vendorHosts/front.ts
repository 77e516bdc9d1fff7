/**
 * A TLS server on 127.0.0.1:443 that answers for vendor host names (through the hosts block and
 * the throwaway CA), records every request exactly as it arrived — host name, method, path and
 * headers — and hands it on to a loopback server (the emulator), where a route may take a path
 * prefix off (infiflow's `/dashscope`). Port 443 is the one the node's URLs imply; while another
 * run holds it, this one waits.
 */
import { request as httpRequest } from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { TLSSocket } from 'node:tls';

interface FrontRoute {
	/** Where requests for this host name go, e.g. the emulator's http://127.0.0.1:port. */
	target: string;
	/** Taken off the front of the path before it is handed on. */
	stripPrefix?: string;
}

interface FrontRequest {
	/** The name the client asked for in TLS (SNI). */
	servername: string;
	/** The Host header. */
	host: string;
	method: string;
	/** Path and query, as sent. */
	path: string;
	headers: IncomingHttpHeaders;
}

export interface VendorFront {
	/** Every request received, in order. */
	requests: FrontRequest[];
	stop(): Promise<void>;
}

const PORT = 443;
const PORT_WAIT_MS = 10 * 60_000;

function pathFor(route: FrontRoute, path: string): string | undefined {
	if (!route.stripPrefix) return path;
	if (!path.startsWith(`${route.stripPrefix}/`)) return undefined;
	return path.slice(route.stripPrefix.length);
}

function forward(route: FrontRoute, path: string, req: IncomingMessage, res: ServerResponse): void {
	const onward = httpRequest(
		new URL(path, route.target),
		{ method: req.method, headers: req.headers },
		(answer) => {
			res.writeHead(answer.statusCode ?? 502, answer.headers);
			answer.pipe(res);
		},
	);
	onward.on('error', (error) => {
		if (res.headersSent) res.destroy();
		else res.writeHead(502, { 'content-type': 'text/plain' }).end(`front: ${error.message}`);
	});
	req.pipe(onward);
}

async function listen(server: Server, log: (line: string) => void): Promise<void> {
	const deadline = Date.now() + PORT_WAIT_MS;
	let told = false;
	for (;;) {
		const outcome = await new Promise<NodeJS.ErrnoException | undefined>((resolve) => {
			server.once('error', resolve);
			server.listen(PORT, '127.0.0.1', () => {
				server.off('error', resolve);
				resolve(undefined);
			});
		});
		if (!outcome) return;
		if (outcome.code === 'EACCES') {
			throw new Error(
				'Cannot listen on 127.0.0.1:443 (EACCES): the vendor-host tests serve the API host names there and must run as root (the CI machine does).',
			);
		}
		if (outcome.code !== 'EADDRINUSE' || Date.now() > deadline) throw outcome;
		if (!told) log('127.0.0.1:443 is in use (another vendor-host run?): waiting for it');
		told = true;
		await new Promise((resolve) => setTimeout(resolve, 500));
	}
}

/**
 * Serves the given host names over TLS with the given certificate until stop(). A name without
 * a route, or a path outside its prefix, gets 421 and is recorded all the same.
 */
export async function startVendorFront(options: {
	cert: Buffer;
	key: Buffer;
	routes: Record<string, FrontRoute>;
	log?: (line: string) => void;
}): Promise<VendorFront> {
	const requests: FrontRequest[] = [];
	const server = createServer({ cert: options.cert, key: options.key }, (req, res) => {
		const host = (req.headers.host ?? '').replace(/:443$/, '');
		const path = req.url ?? '/';
		const servername = (req.socket as TLSSocket).servername || '';
		requests.push({ servername, host, method: req.method ?? 'GET', path, headers: req.headers });
		const route = Object.hasOwn(options.routes, host) ? options.routes[host] : undefined;
		const onwardPath = route && pathFor(route, path);
		if (!route || onwardPath === undefined) {
			res.writeHead(421, { 'content-type': 'text/plain' }).end(`No route for ${host}${path}`);
			return;
		}
		forward(route, onwardPath, req, res);
	});
	await listen(server, options.log ?? (() => {}));
	return {
		requests,
		stop: () =>
			new Promise<void>((resolve, reject) => {
				server.close((error) => (error ? reject(error) : resolve()));
				server.closeAllConnections();
			}),
	};
}
