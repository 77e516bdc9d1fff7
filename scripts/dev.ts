import { OWNER } from '../dev/n8n';
import {
	DEV_CHAT_MODEL_CREDENTIAL_NAME,
	DEV_CREDENTIAL_NAME,
	DEV_LOG_FILE,
	startDevEnvironment,
} from '../dev/devEnvironment';

/**
 * `npm run dev`: builds the package (once: the npm script does not), installs it into a pinned
 * real n8n 2.x (installed once into .cache/), starts the HappyHorse emulator and the agent
 * example's scripted chat model, creates ready credentials and imports the example workflows,
 * then prints the editor URL and each example's own URL. Ctrl+C stops everything.
 */

const log = (line: string) => process.stdout.write(`${line}\n`);

/** The example to open first: the one the README's Quick start names. */
const FIRST_EXAMPLE = 'edit-video-from-url-to-disk.json';

async function main() {
	const started = Date.now();
	const dev = await startDevEnvironment({
		n8nPort: Number(process.env.HAPPYHORSE_DEV_PORT ?? 5678),
		emulatorPort: Number(process.env.HAPPYHORSE_EMULATOR_PORT ?? 5679),
		chatModelPort: Number(process.env.HAPPYHORSE_CHAT_MODEL_PORT ?? 5680),
		log,
	});
	const stop = async () => {
		log('\nStopping n8n, the emulator and the scripted chat model…');
		await dev.stop();
		process.exit(0);
	};
	process.on('SIGINT', () => void stop());
	process.on('SIGTERM', () => void stop());

	const urlOf = (id: string) => `${dev.n8n.baseUrl}/workflow/${id}`;
	const first = dev.examples.find((example) => example.file === FIRST_EXAMPLE) ?? dev.examples[0];
	const seconds = ((Date.now() - started) / 1000).toFixed(1);
	log('');
	log(
		`n8n ${dev.n8n.version} with n8n-nodes-happyhorse is ready (in ${seconds} s): ${dev.n8n.baseUrl}`,
	);
	log(`  sign in as ${OWNER.email} / ${OWNER.password}`);
	if (first) log(`  then open the first example and click Execute workflow: ${urlOf(first.id)}`);
	log(
		dev.imported.length > 0
			? `  imported ${dev.imported.length} example workflows from examples/ (all ${dev.examples.length}):`
			: `  the ${dev.examples.length} example workflows from examples/ (imported by an earlier run):`,
	);
	for (const example of dev.examples) log(`    ${urlOf(example.id)}  ${example.name}`);
	if (dev.triggerUrl) {
		log(
			`  the trigger example is active; the emulator pushes each task's end to ${dev.triggerUrl}`,
		);
	}
	log(`  credential "${DEV_CREDENTIAL_NAME}" talks to the emulator (no API key needed)`);
	log(`  credential "${DEV_CHAT_MODEL_CREDENTIAL_NAME}" is the agent example's model`);
	log(`  videos written by the examples land in ${dev.outputDir}`);
	log(`  n8n's own output: ${DEV_LOG_FILE}`);
	log('Press Ctrl+C to stop.');
}

main().catch((error: unknown) => {
	process.stderr.write(
		`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
	);
	process.exit(1);
});
