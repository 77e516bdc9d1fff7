import { HappyHorseEmulator, ftypBox } from '../dev/emulator';

/**
 * The emulator in a process of its own, for the memory benchmark: the 100 MB it uploads and
 * serves must not count in the memory of the process under measurement. Prints its origin.
 */
async function main() {
	const resultBytes = Number(process.argv[2] ?? 100_000_000);
	const video = Buffer.alloc(resultBytes, 0x5a);
	// The node takes a result only when it starts like an MP4.
	ftypBox().copy(video);
	const emulator = new HappyHorseEmulator();
	emulator.taskScript = () => ({ statuses: ['RUNNING', 'SUCCEEDED'], videoBytes: video });
	await emulator.start();
	process.stdout.write(`ready ${emulator.origin} ${emulator.apiKey}\n`);
	process.on('SIGTERM', () => void emulator.stop().then(() => process.exit(0)));
}

void main();
