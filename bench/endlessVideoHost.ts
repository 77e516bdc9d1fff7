import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

import { ftypBox } from '../dev/emulator';

/**
 * A video host in a process of its own, for the oversized-download benchmark: every GET gets an
 * MP4-looking body that never ends, so only the node's size cap stops it. Its own buffers must
 * not count in the memory of the process under measurement. Prints its origin.
 */
function main() {
	const chunk = Buffer.alloc(256 * 1024, 0);
	ftypBox().copy(chunk);
	const server = createServer((_req, res) => {
		res.writeHead(200, { 'content-type': 'video/mp4' });
		const write = (): void => {
			while (!res.destroyed && res.write(chunk));
			if (!res.destroyed) res.once('drain', write);
		};
		write();
	});
	server.listen(0, '127.0.0.1', () => {
		const { port } = server.address() as AddressInfo;
		process.stdout.write(`ready http://127.0.0.1:${port}\n`);
	});
	process.on('SIGTERM', () => server.close(() => process.exit(0)));
}

main();
