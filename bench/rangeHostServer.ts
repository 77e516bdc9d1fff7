import { RangeVideoHost, paddedClip } from '../dev/rangeVideoHost';

/**
 * The range video host in a process of its own, for the estimate benchmark: serving the reads
 * must not take time from the process under measurement. Serves `count` videos at
 * /videos/<index>-<start|end>.mp4 (moov at the start for even indexes, at the end for odd ones)
 * and prints its origin; on a line "stats" it prints the requests and bytes per path.
 */
async function main() {
	const count = Number(process.argv[2] ?? 100);
	const mediaDataBytes = Number(process.argv[3] ?? 20 * 1024 * 1024);
	const host = new RangeVideoHost();
	await host.start();
	const clips = {
		start: paddedClip('start', mediaDataBytes),
		end: paddedClip('end', mediaDataBytes),
	};
	for (let index = 0; index < count; index++) {
		const moovAt = index % 2 === 0 ? 'start' : 'end';
		host.put(`/videos/${index}-${moovAt}.mp4`, clips[moovAt]);
	}
	process.stdout.write(`ready ${host.origin}\n`);
	process.stdin.setEncoding('utf8');
	process.stdin.on('data', (text: string) => {
		for (const line of text.split('\n')) {
			if (line === 'reset') host.requests.length = 0;
			if (line === 'stats') process.stdout.write(`stats ${JSON.stringify(host.requests)}\n`);
		}
	});
	process.on('SIGTERM', () => void host.stop().then(() => process.exit(0)));
}

void main();
